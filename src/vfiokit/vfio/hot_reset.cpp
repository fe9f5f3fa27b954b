// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/hot_reset.hpp"

#include <fmt/format.h>
#include <linux/vfio.h>

#include <algorithm>
#include <cstring>

#include "vfiokit/vfio/internal/uapi.hpp"

namespace vfiokit::vfio {

bool HotResetPeer::owned_by_caller() const { return !is_devid || id != uapi::kDevIdNotOwned; }

Result<HotResetInfo> parse_hot_reset_info(std::span<const uint8_t> reply) {
  // {u32 argsz; u32 flags; u32 count; vfio_pci_dependent_device devices[count]}
  struct {
    uint32_t argsz, flags, count;
  } head{};
  static_assert(sizeof(head) == sizeof(vfio_pci_hot_reset_info));
  if (reply.size() < sizeof(head)) return fail(Errc::malformed, "VFIO hot reset info", "reply shorter than the struct");
  std::memcpy(&head, reply.data(), sizeof(head));
  const size_t need = sizeof(head) + size_t(head.count) * sizeof(vfio_pci_dependent_device);
  if (need > reply.size())
    return fail(Errc::malformed, "VFIO hot reset info", fmt::format("{} devices do not fit the reply", head.count));
  HotResetInfo info;
  info.flags = head.flags;
  info.all_owned = head.flags & uapi::kHotResetFlagDevIdOwned;
  for (uint32_t i = 0; i < head.count; ++i) {
    vfio_pci_dependent_device d{};
    std::memcpy(&d, reply.data() + sizeof(head) + i * sizeof(d), sizeof(d));
    auto bdf = pci::Bdf::make(d.segment, d.bus, d.devfn >> 3, d.devfn & 7);
    if (!bdf) return fail(bdf.error());
    info.peers.push_back({*bdf, d.group_id, bool(head.flags & uapi::kHotResetFlagDevId)});
  }
  return info;
}

Result<std::vector<int32_t>> hot_reset_group_fds(const std::vector<HotResetPeer>& peers,
                                                 const std::map<unsigned, int>& held_groups) {
  std::vector<int32_t> fds;
  std::string missing;
  for (const auto& p : peers) {
    auto it = held_groups.find(p.id);
    if (it == held_groups.end()) {
      missing += fmt::format("{}{} (group {})", missing.empty() ? "" : ", ", p.bdf.str(), p.id);
      continue;
    }
    if (std::find(fds.begin(), fds.end(), it->second) == fds.end()) fds.push_back(it->second);
  }
  if (!missing.empty())
    return fail(Errc::permission, "hot reset",
                fmt::format("would also reset {}, whose groups this container does not hold: open those devices "
                            "in the same container first",
                            missing));
  return fds;
}

Result<void> check_devids_owned(const std::vector<HotResetPeer>& peers) {
  std::string missing;
  for (const auto& p : peers)
    if (!p.owned_by_caller()) missing += fmt::format("{}{}", missing.empty() ? "" : ", ", p.bdf.str());
  if (!missing.empty())
    return fail(Errc::permission, "hot reset",
                fmt::format("would also reset {}, not bound to this iommufd: open those devices through the same "
                            "backend first",
                            missing));
  return {};
}

}  // namespace vfiokit::vfio

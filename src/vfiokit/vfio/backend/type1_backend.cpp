// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/backend/type1_backend.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <bit>

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/vfio/hot_reset.hpp"
#include "vfiokit/vfio/internal/info_chain.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"

namespace vfiokit::vfio {

namespace {
constexpr const char* kContainer = "/dev/vfio/vfio";
}

Result<std::unique_ptr<Type1Backend>> Type1Backend::open(host::SysfsRoot root) {
  const int fd = ::open(kContainer, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT)
      return fail(Error(Errc::unsupported, kContainer,
                        "does not exist: load the vfio module (modprobe vfio-pci) or, without "
                        "CONFIG_VFIO_CONTAINER, use the iommufd backend",
                        err));
    return fail(Error::from_errno(err, kContainer, "cannot open"));
  }
  UniqueFd container(fd);
  auto version = checked_ioctl_value(fd, VFIO_GET_API_VERSION, 0, "VFIO_GET_API_VERSION", kContainer);
  if (!version) return fail(version.error());
  if (*version != VFIO_API_VERSION)
    return fail(Errc::unsupported, kContainer,
                fmt::format("speaks VFIO API version {}, not {}", *version, VFIO_API_VERSION));
  auto ext = checked_ioctl_value(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU, "VFIO_CHECK_EXTENSION", kContainer);
  if (!ext) return fail(ext.error());
  if (*ext <= 0)
    return fail(Errc::unsupported, kContainer,
                "has no type1v2 IOMMU driver (modprobe vfio_iommu_type1; is the IOMMU on?)");
  return std::unique_ptr<Type1Backend>(new Type1Backend(std::move(root), std::move(container)));
}

Type1Backend::~Type1Backend() {
  // Devices are gone (each holds the backend); groups leave the container,
  // which drops the IOMMU domain and every mapping with it.
  for (auto& [id, member] : groups_) ioctl(member.group.fd(), VFIO_GROUP_UNSET_CONTAINER);
}

Result<UniqueFd> Type1Backend::attach(const DeviceAddress& device) {
  auto group_id = iommu_group_of(root_, device);
  if (!group_id) return fail(group_id.error());
  auto it = groups_.find(*group_id);
  if (it == groups_.end()) {
    auto group = Group::open(*group_id);
    if (!group) {
      if (group.error().code() == Errc::not_found) return fail(not_bound_error(root_, device));
      return fail(group.error());
    }
    auto status = group->status();
    if (!status) return fail(status.error());
    if (!status->viable) return fail(not_viable_error(root_, *group_id, 0));
    int cfd = container_.get();
    if (auto ok = checked_ioctl(group->fd(), VFIO_GROUP_SET_CONTAINER, &cfd, "VFIO_GROUP_SET_CONTAINER", group->node());
        !ok) {
      if (ok.error().sys_errno() == EPERM) return fail(not_viable_error(root_, *group_id, EPERM));
      return fail(ok.error());
    }
    if (!dma_.ready()) {
      if (auto ok = checked_ioctl_value(container_.get(), VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU, "VFIO_SET_IOMMU(TYPE1v2)",
                                        kContainer);
          !ok) {
        ioctl(group->fd(), VFIO_GROUP_UNSET_CONTAINER);
        if (ok.error().sys_errno() == EPERM)
          return fail(Error(Errc::permission, kContainer,
                            "VFIO_SET_IOMMU refused: the IOMMU lacks interrupt remapping (vfio_iommu_type1 "
                            "allow_unsafe_interrupts=1 overrides it, unsafely)",
                            EPERM));
        return fail(ok.error());
      }
      dma_ = DmaIoctls::type1(container_.get());
    }
    it = groups_.emplace(*group_id, Member{std::move(*group), 0}).first;
    if (auto ok = refresh_ranges(); !ok) {
      groups_.erase(it);
      return fail(ok.error());
    }
  }
  std::string name = device.str();
  auto fd = checked_ioctl(it->second.group.fd(), VFIO_GROUP_GET_DEVICE_FD, name.data(), "VFIO_GROUP_GET_DEVICE_FD",
                          device.str());
  if (!fd) {
    if (it->second.devices == 0) {
      ioctl(it->second.group.fd(), VFIO_GROUP_UNSET_CONTAINER);
      groups_.erase(it);
      if (groups_.empty()) dma_ = DmaIoctls(), forget_mappings();
    }
    if (fd.error().sys_errno() == EBUSY)
      return fail(
          Error(Errc::permission, device.str(), "is already open through VFIO (by this or another process)", EBUSY));
    return fail(fd.error());
  }
  ++it->second.devices;
  device_groups_[device] = *group_id;
  return UniqueFd(*fd);
}

void Type1Backend::detach(const DeviceAddress& device) {
  auto d = device_groups_.find(device);
  if (d == device_groups_.end()) return;
  auto g = groups_.find(d->second);
  device_groups_.erase(d);
  if (g == groups_.end() || --g->second.devices != 0) return;
  ioctl(g->second.group.fd(), VFIO_GROUP_UNSET_CONTAINER);
  groups_.erase(g);
  if (groups_.empty()) {
    // The last group took the IOMMU context and its mappings with it.
    dma_ = DmaIoctls();
    forget_mappings();
  } else {
    (void)refresh_ranges();
  }
}

Result<Type1Info> Type1Backend::info() const {
  std::vector<uint8_t> buf(sizeof(vfio_iommu_type1_info));
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto* head = reinterpret_cast<vfio_iommu_type1_info*>(buf.data());
    head->argsz = uint32_t(buf.size());
    if (auto ok = checked_ioctl(container_.get(), VFIO_IOMMU_GET_INFO, buf.data(), "VFIO_IOMMU_GET_INFO", kContainer);
        !ok)
      return fail(ok.error());
    if (head->argsz > buf.size()) {
      buf.assign(head->argsz, 0);  // the chain did not fit: ask again with room
      continue;
    }
    Type1Info info;
    info.page_sizes = head->flags & VFIO_IOMMU_INFO_PGSIZES ? head->iova_pgsizes : 0;
    if (!(head->flags & VFIO_IOMMU_INFO_CAPS) || head->cap_offset == 0) return info;
    auto caps = walk_info_chain(buf, head->cap_offset, sizeof(vfio_iommu_type1_info), "VFIO_IOMMU_GET_INFO");
    if (!caps) return fail(caps.error());
    for (const auto& cap : *caps) {
      if (cap.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
        auto n = cap_field<uint32_t>(cap, 8);
        if (!n) return fail(n.error());
        for (uint32_t i = 0; i < *n; ++i) {
          auto start = cap_field<uint64_t>(cap, 16 + 16 * size_t(i));
          auto end = cap_field<uint64_t>(cap, 24 + 16 * size_t(i));
          if (!start || !end) return fail(start ? end.error() : start.error());
          info.ranges.push_back({*start, *end});
        }
      } else if (cap.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
        auto avail = cap_field<uint32_t>(cap, 8);
        if (!avail) return fail(avail.error());
        info.dma_avail = *avail;
      }
    }
    return info;
  }
  return fail(Errc::malformed, kContainer, "VFIO_IOMMU_GET_INFO keeps asking for a larger buffer");
}

Result<void> Type1Backend::refresh_ranges() {
  auto i = info();
  if (!i) return fail(i.error());
  // Without the IOVA_RANGE capability (kernels before 5.4) type1 accepts the
  // whole 64-bit space minus what faults; stay within 48 bits.
  auto ranges = i->ranges.empty() ? std::vector<IovaRange>{{0, (1ull << 48) - 1}} : i->ranges;
  const uint64_t granule = i->page_sizes ? (i->page_sizes & -i->page_sizes) : 4096;
  std::vector<unsigned> ids;
  for (const auto& [id, m] : groups_) ids.push_back(id);
  return set_valid_ranges(std::move(ranges), granule, ids);
}

Result<std::vector<int32_t>> Type1Backend::hot_reset_proof(const std::vector<HotResetPeer>& peers) const {
  std::map<unsigned, int> held;
  for (const auto& [id, member] : groups_) held[id] = member.group.fd();
  return hot_reset_group_fds(peers, held);
}

Result<void> Type1Backend::set_dirty_tracking(bool enabled) {
  vfio_iommu_type1_dirty_bitmap d{};
  d.argsz = sizeof(d);
  d.flags = enabled ? VFIO_IOMMU_DIRTY_PAGES_FLAG_START : VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
  if (auto ok = checked_ioctl(container_.get(), VFIO_IOMMU_DIRTY_PAGES, &d,
                              enabled ? "VFIO_IOMMU_DIRTY_PAGES(START)" : "VFIO_IOMMU_DIRTY_PAGES(STOP)", kContainer);
      !ok)
    return fail(ok.error());
  return {};
}

Result<void> Type1Backend::read_dirty(DirtyBitmap& bitmap) {
  // The header (with its flexible data[]) followed by the GET_BITMAP request.
  alignas(8) uint8_t buf[sizeof(vfio_iommu_type1_dirty_bitmap) + sizeof(vfio_iommu_type1_dirty_bitmap_get)] = {};
  auto* head = reinterpret_cast<vfio_iommu_type1_dirty_bitmap*>(buf);
  auto& get = *reinterpret_cast<vfio_iommu_type1_dirty_bitmap_get*>(buf + sizeof(*head));
  head->argsz = sizeof(buf);
  head->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
  get.iova = bitmap.base().value();
  get.size = bitmap.length();
  get.bitmap.pgsize = bitmap.page_size();
  get.bitmap.size = bitmap.words().size_bytes();
  get.bitmap.data = reinterpret_cast<__u64*>(bitmap.words().data());
  if (auto ok = checked_ioctl(container_.get(), VFIO_IOMMU_DIRTY_PAGES, buf, "VFIO_IOMMU_DIRTY_PAGES(GET_BITMAP)",
                              kContainer);
      !ok)
    return fail(ok.error());
  return {};
}

}  // namespace vfiokit::vfio

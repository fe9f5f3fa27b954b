// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/region_info.hpp"

#include <fmt/format.h>
#include <linux/vfio.h>

#include <cstring>

#include "vfiokit/vfio/internal/info_chain.hpp"

namespace vfiokit::vfio {

bool RegionInfo::readable() const { return flags & VFIO_REGION_INFO_FLAG_READ; }
bool RegionInfo::writable() const { return flags & VFIO_REGION_INFO_FLAG_WRITE; }
bool RegionInfo::mmappable() const { return flags & VFIO_REGION_INFO_FLAG_MMAP; }

std::vector<SparseArea> RegionInfo::mappable_areas() const {
  if (!mmappable() || size == 0) return {};
  if (sparse_areas) return *sparse_areas;
  return {{0, size}};
}

Result<RegionInfo> parse_region_info(std::span<const uint8_t> reply) {
  vfio_region_info raw{};
  if (reply.size() < sizeof(raw)) return fail(Errc::malformed, "VFIO region info", "reply shorter than the struct");
  std::memcpy(&raw, reply.data(), sizeof(raw));
  RegionInfo info;
  info.index = raw.index;
  info.flags = raw.flags;
  info.size = raw.size;
  info.offset = raw.offset;
  if (!(raw.flags & VFIO_REGION_INFO_FLAG_CAPS) || raw.cap_offset == 0) return info;
  const std::string subject = region_name(raw.index);
  auto caps = walk_info_chain(reply.subspan(0, std::min<size_t>(reply.size(), raw.argsz)), raw.cap_offset, sizeof(raw),
                              "VFIO region info");
  if (!caps) return fail(caps.error());
  for (const auto& cap : *caps) {
    switch (cap.id) {
      case VFIO_REGION_INFO_CAP_SPARSE_MMAP: {
        auto count = cap_field<uint32_t>(cap, 8);
        if (!count) return fail(count.error());
        std::vector<SparseArea> areas;
        for (uint32_t i = 0; i < *count; ++i) {
          auto off = cap_field<uint64_t>(cap, 16 + 16 * size_t(i));
          auto size = cap_field<uint64_t>(cap, 24 + 16 * size_t(i));
          if (!off || !size)
            return fail(
                Error(Errc::malformed, subject, fmt::format("sparse mmap lists {} areas but holds fewer", *count))
                    .at_offset(cap.offset));
          if (*size == 0) continue;
          if (*off > info.size || *size > info.size - *off)
            return fail(
                Error(Errc::malformed, subject,
                      fmt::format("sparse area 0x{:x}+0x{:x} runs past the 0x{:x}-byte region", *off, *size, info.size))
                    .at_offset(cap.offset));
          areas.push_back({*off, *size});
        }
        info.sparse_areas = std::move(areas);
        break;
      }
      case VFIO_REGION_INFO_CAP_TYPE: {
        auto type = cap_field<uint32_t>(cap, 8);
        auto subtype = cap_field<uint32_t>(cap, 12);
        if (!type || !subtype) return fail(type ? subtype.error() : type.error());
        info.type = {*type, *subtype};
        break;
      }
      case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE: info.msix_mappable = true; break;
      default: info.other_caps.push_back(cap.id); break;
    }
  }
  return info;
}

std::string region_name(uint32_t index) {
  static constexpr const char* kNames[] = {"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA"};
  if (index < kPciRegionCount) return kNames[index];
  return fmt::format("region {}", index);
}

std::string region_flag_names(uint32_t flags) {
  std::string out;
  auto add = [&](uint32_t bit, const char* name) {
    if (flags & bit) out += out.empty() ? name : std::string(",") + name;
  };
  add(VFIO_REGION_INFO_FLAG_READ, "read");
  add(VFIO_REGION_INFO_FLAG_WRITE, "write");
  add(VFIO_REGION_INFO_FLAG_MMAP, "mmap");
  add(VFIO_REGION_INFO_FLAG_CAPS, "caps");
  return out.empty() ? "none" : out;
}

}  // namespace vfiokit::vfio

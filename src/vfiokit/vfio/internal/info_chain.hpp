// SPDX-License-Identifier: Apache-2.0
// The capability chains VFIO appends to its INFO structs (device, region,
// type1 IOMMU): 8-byte headers {u16 id; u16 version; u32 next}, offsets
// counted from the start of the struct, next == 0 ending the chain. The
// kernel wrote the buffer, but vfiokit still bounds every read and stops on
// a loop, so a broken chain is an error and never a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

struct InfoCap {
  uint16_t id = 0;
  uint16_t version = 0;
  uint32_t offset = 0;             // of the header, from the start of the struct
  std::span<const uint8_t> bytes;  // from the header to the next capability or the end
};

// Walks the chain starting at `first` (0: no chain). `min_offset` is the
// size of the fixed struct: a capability cannot start inside it.
Result<std::vector<InfoCap>> walk_info_chain(std::span<const uint8_t> buffer, uint32_t first, uint32_t min_offset,
                                             const char* subject);

// A little-endian field of a capability, bounds-checked.
template <class T>
Result<T> cap_field(const InfoCap& cap, size_t offset) {
  if (offset + sizeof(T) > cap.bytes.size())
    return fail(Error(Errc::malformed, "VFIO capability", "field beyond the capability's end").at_offset(cap.offset));
  T value;
  std::memcpy(&value, cap.bytes.data() + offset, sizeof(T));
  return value;
}

}  // namespace vfiokit::vfio

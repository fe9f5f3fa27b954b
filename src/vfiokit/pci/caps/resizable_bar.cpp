// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/resizable_bar.hpp"

#include <fmt/format.h>

#include <bit>

namespace vfiokit::pci {

int rebar::encoding_of(ByteSize size) {
  const uint64_t bytes = size.bytes();
  if (!std::has_single_bit(bytes) || bytes < (uint64_t{1} << 20)) return -1;
  const int e = std::countr_zero(bytes) - 20;
  return e <= static_cast<int>(kMaxEncoding) ? e : -1;
}

std::vector<unsigned> RebarEntry::supported_encodings() const {
  std::vector<unsigned> out;
  for (unsigned e = 0; e <= rebar::kMaxEncoding; ++e)
    if (supports(e)) out.push_back(e);
  return out;
}

Result<ResizableBar> decode_resizable_bar(const ConfigSpace& config, uint16_t offset, bool for_vfs) {
  const char* name = for_vfs ? "VF Resizable BAR capability" : "Resizable BAR capability";
  auto head = CapFields::at(config, offset, 12, name);
  if (!head) return std::unexpected(head.error());
  // Number of Resizable BARs is valid only in Control(0), bits 7:5.
  const unsigned count = (head->u32(8) >> 5) & 0x7;
  if (count < 1 || count > rebar::kMaxEntries)
    return std::unexpected(
        Error(Errc::malformed, name, fmt::format("number of resizable BARs is {}; the spec allows 1 to 6", count))
            .at_offset(offset + 8u));
  auto f = CapFields::at(config, offset, 4 + 8 * count, name);
  if (!f) return std::unexpected(f.error());
  ResizableBar r;
  r.for_vfs = for_vfs;
  for (unsigned i = 0; i < count; ++i) {
    RebarEntry e;
    e.capability_raw = f->u32(4 + 8 * i);
    e.control_raw = f->u32(8 + 8 * i);
    e.bar_index = e.control_raw & 0x7;
    e.current = (e.control_raw >> 8) & 0x3f;
    e.supported = static_cast<uint64_t>(e.capability_raw >> 4) | static_cast<uint64_t>(e.control_raw >> 16) << 28;
    // Encodings above 43 would be sizes beyond 8 EiB: no spec defines them.
    if (e.current > rebar::kMaxEncoding)
      return std::unexpected(Error(Errc::malformed, name,
                                   fmt::format("BAR{} size field is {}; the largest defined encoding is {} (8 EiB)",
                                               e.bar_index, e.current, rebar::kMaxEncoding))
                                 .at_offset(offset + 8u + 8 * i));
    r.entries.push_back(e);
  }
  return r;
}

}  // namespace vfiokit::pci

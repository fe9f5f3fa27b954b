// SPDX-License-Identifier: Apache-2.0
// Resizable BAR (extended ID 0x0015) and VF Resizable BAR (0x0024), PCIe r6
// §7.8.6 and §9.3.7.5. One entry per resizable BAR: Capability(n) at
// +4+8n, Control(n) at +8+8n.
//
// Sizes are kept as encodings: encoding e means 2^(e+20) bytes (0 = 1 MiB).
// Capability bits 31:4 announce encodings 0..27 (1 MiB..128 TiB) and Control
// bits 31:16 announce encodings 28..43 (256 TiB..8 EiB).
#pragma once

#include <cstdint>
#include <vector>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

namespace rebar {
inline constexpr unsigned kMaxEncoding = 43;
inline constexpr unsigned kMaxEntries = 6;
// The spec requires at least one size in 1 MiB..512 GiB (encodings 0..19).
inline constexpr unsigned kSpecRangeLast = 19;
// `encoding` must be at most kMaxEncoding (decoders reject larger ones).
constexpr ByteSize size_of(unsigned encoding) {
  return encoding <= kMaxEncoding ? ByteSize(uint64_t{1} << (encoding + 20)) : ByteSize(0);
}
// The encoding of an exact power-of-two size, or -1.
int encoding_of(ByteSize size);
}  // namespace rebar

struct RebarEntry {
  unsigned bar_index = 0;  // Control bits 2:0
  uint64_t supported = 0;  // bit e set = encoding e supported
  unsigned current = 0;    // Control bits 13:8 (6 bits in current specs)
  uint32_t capability_raw = 0;
  uint32_t control_raw = 0;

  ByteSize current_size() const { return rebar::size_of(current); }
  bool supports(unsigned encoding) const { return encoding <= rebar::kMaxEncoding && (supported >> encoding) & 1; }
  std::vector<unsigned> supported_encodings() const;
};

struct ResizableBar {
  static constexpr uint16_t kId = 0x0015;
  static constexpr uint16_t kVfId = 0x0024;
  bool for_vfs = false;  // VF ReBAR: sizes are per VF
  std::vector<RebarEntry> entries;
};

// Fails when the number of entries in Control(0) is not 1..6 or the entries
// run past the end of config space.
Result<ResizableBar> decode_resizable_bar(const ConfigSpace& config, uint16_t offset, bool for_vfs);

}  // namespace vfiokit::pci

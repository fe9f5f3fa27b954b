// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/config_to_last_capability.hpp"

#include <algorithm>

#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::host {
namespace {

// How far the extended capabilities reach, read as the decoder will walk
// them: a window past each header, and past any next pointer that leads
// beyond what is read so far.
size_t reach(const std::vector<uint8_t>& bytes, size_t read) {
  auto config = pci::ConfigSpace::from_bytes(bytes);
  if (!config) return read;
  size_t need = read;
  for (const auto& cap : pci::walk_extended_capabilities(*config).entries) {
    need = std::max(need, cap.offset + kCapabilityWindow);
    const uint32_t header = config->read32(cap.offset).value_or(0);
    const size_t next = (header >> 20) & 0xffc;
    if (next >= read) need = std::max(need, next + kCapabilityWindow);
  }
  return std::min(need, pci::kExtendedSize);
}

}  // namespace

Result<PartialConfig> read_config_to_last_capability(const ConfigReadAt& read_at, size_t file_size) {
  PartialConfig out;
  out.bytes.assign(pci::kConventionalSize, 0);
  auto n = read_at(0, out.bytes);
  if (!n) return std::unexpected(n.error());
  out.read = *n;
  if (out.read < pci::kConventionalSize || file_size < pci::kExtendedSize) {
    // No extended space, or all an unprivileged reader gets.
    out.bytes.resize(out.read >= pci::kConventionalSize ? pci::kConventionalSize
                     : out.read >= pci::kHeaderSize     ? pci::kHeaderSize
                                                        : out.read);
    return out;
  }
  out.bytes.resize(pci::kExtendedSize, 0);
  // First the header at 0x100 alone (zero when there are no extended
  // capabilities, as on many virtual functions); then each round reads on
  // to where the chain read so far reaches. The reach only grows and stops
  // at 4096, so the rounds end.
  for (size_t want = pci::kConventionalSize + 4; want > out.read; want = reach(out.bytes, out.read)) {
    auto more = read_at(out.read, std::span(out.bytes).subspan(out.read, want - out.read));
    if (!more) return std::unexpected(more.error());
    const bool short_read = *more < want - out.read;
    out.read += *more;
    if (short_read) {
      // The read ended inside the extended space: as a whole read that
      // came up short, only the conventional 256 bytes are decoded.
      out.bytes.resize(pci::kConventionalSize);
      break;
    }
  }
  return out;
}

}  // namespace vfiokit::host

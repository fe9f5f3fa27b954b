// SPDX-License-Identifier: Apache-2.0
// The config space a VMM shows a guest for an assigned function: built from
// the physical one (read through VFIO's config region) and the region sizes
// VFIO reports. Every bit is either emulated (the guest sees a virtual
// value, writable only where a mask allows) or passed through to the
// device. Emulated: the IDs and class (read-only), the BARs and expansion
// ROM (sizing writes return the size mask; addresses stay virtual), the
// capability pointers (rewritten so hidden capabilities are skipped with
// the chains intact), MSI and MSI-X control (with hooks for the VMM), and a
// static Resizable BAR capability exactly as QEMU exposes it: each entry
// advertises only its current size, Capability and Control read-only, the
// whole capability hidden when a current size is outside 1 MiB..512 GiB
// (hw/vfio/pci.c vfio_setup_rebar_ecap).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::virt {

struct VirtPolicy {
  // Extended capabilities the guest must not see; QEMU hides SR-IOV and
  // ARI (and with SR-IOV the VF Resizable BAR).
  std::vector<uint16_t> hide_extended = {0x0010, 0x000E, 0x0024};
  std::vector<uint8_t> hide_standard = {};
  // false: hide the Resizable BAR capability, as VMMs other than QEMU do.
  bool static_rebar = true;
};

// What the VMM must forward to the device after a guest write: the bits
// that are not emulated.
struct Passthrough {
  uint16_t offset = 0;
  unsigned size = 0;
  uint32_t value = 0;
  uint32_t mask = 0;  // the bits of `value` that belong to the device
};

// A guest write that touched the MSI or MSI-X capability, after it was
// applied to the virtual copy: the VMM reprograms its interrupt routes.
struct CapabilityWrite {
  uint8_t cap_id = 0;  // 0x05 MSI, 0x11 MSI-X
  uint16_t cap_offset = 0;
  uint16_t offset = 0;  // of the write
  unsigned size = 0;
};

class VirtualConfig {
 public:
  // `physical`: 256 or 4096 bytes. `region_sizes`: BAR0..BAR5 and the ROM
  // (index 6), 0 where VFIO reports no region. Type 0 headers only: bridges
  // are not assigned to guests.
  static Result<VirtualConfig> build(std::span<const uint8_t> physical, const std::array<uint64_t, 7>& region_sizes,
                                     const VirtPolicy& policy = {});

  size_t size() const { return phys_.size(); }
  // 1, 2 or 4 bytes, naturally aligned; beyond config space reads ~0.
  uint32_t read(uint16_t offset, unsigned size) const;
  // Applies the emulated bits; returns the passthrough part, if any.
  std::optional<Passthrough> write(uint16_t offset, unsigned size, uint32_t value);
  // The guest's whole view, byte by byte.
  std::vector<uint8_t> guest_bytes() const;
  // New physical bytes for the passthrough bits (a VMM re-reads them).
  void refresh_physical(std::span<const uint8_t> physical);

  // A region changed size (the host resized a BAR): the BAR's sizing mask
  // and the static ReBAR view follow.
  void update_region_size(unsigned index, uint64_t size);

  std::function<void(const CapabilityWrite&)> on_capability_write;

  // The guest-programmed address of a BAR (flag bits removed).
  uint64_t guest_bar_address(unsigned index) const;
  uint64_t region_size(unsigned index) const { return sizes_[index]; }
  // What was rewritten, one line each ("hidden SR-IOV at 0x160", ...).
  std::vector<std::string> rewrites() const;
  bool emulated(uint16_t offset, uint8_t bit) const { return (emu_[offset] >> bit) & 1; }

 private:
  VirtualConfig() = default;
  void emulate(uint16_t offset, unsigned size, uint32_t value, uint32_t writable);
  void setup_bars();
  void setup_standard_chain(const VirtPolicy& policy);
  void setup_extended_chain(const VirtPolicy& policy);
  bool setup_static_rebar(uint16_t offset);  // false: the capability must be hidden
  uint32_t raw(const std::vector<uint8_t>& bytes, uint16_t offset, unsigned size) const;

  std::vector<uint8_t> phys_, virt_, emu_, writable_;
  std::array<uint64_t, 7> sizes_{};
  std::vector<std::pair<uint16_t, uint8_t>> interrupt_caps_;     // (offset, id) of MSI and MSI-X
  std::vector<std::pair<uint16_t, uint16_t>> interrupt_ranges_;  // [start, end) of each
  std::optional<uint16_t> rebar_;                                // the visible static ReBAR capability
  VirtPolicy policy_;
  std::vector<std::string> standard_rewrites_, extended_rewrites_;
};

}  // namespace vfiokit::virt

// SPDX-License-Identifier: Apache-2.0
// The 64-byte header every function has: identity, command/status, and the
// type-specific part (BARs of a normal device; bus numbers and windows of a
// bridge). BAR sizes are not in config space — they come from sysfs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::pci {

enum class BarKind { io, mem32, mem64, mem_below_1m };
const char* bar_kind_name(BarKind kind);

struct Bar {
  unsigned index = 0;  // BAR register number; a 64-bit BAR also uses index + 1
  BarKind kind = BarKind::mem32;
  bool prefetchable = false;
  uint64_t address = 0;  // as programmed, flag bits removed
  uint32_t raw_low = 0;
  bool is_64bit() const { return kind == BarKind::mem64; }
};

struct Window {
  uint64_t base = 0;
  uint64_t limit = 0;  // inclusive
  bool enabled() const { return base <= limit; }
};

struct BridgeInfo {
  uint8_t primary_bus = 0;
  uint8_t secondary_bus = 0;
  uint8_t subordinate_bus = 0;
  std::optional<Window> io_window;        // absent when the bridge has no I/O window
  Window memory_window;                   // 32-bit non-prefetchable
  std::optional<Window> prefetch_window;  // absent when not implemented
  bool prefetch_window_64bit = false;
  uint16_t bridge_control = 0;
};

struct Header {
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint16_t command = 0;
  uint16_t status = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // base class, subclass, prog-if
  uint8_t layout = 0;       // header type without the multifunction bit
  bool multifunction = false;
  uint8_t interrupt_line = 0;
  uint8_t interrupt_pin = 0;                    // 0 none, 1..4 INTA..INTD
  std::vector<Bar> bars;                        // only BARs that are implemented (non-zero)
  std::optional<uint16_t> subsystem_vendor_id;  // type 0 only
  std::optional<uint16_t> subsystem_id;
  uint32_t rom_address = 0;
  std::optional<BridgeInfo> bridge;  // type 1 only
  std::vector<Error> problems;       // e.g. a 64-bit BAR in the last slot

  uint8_t base_class() const { return static_cast<uint8_t>(class_code >> 16); }
  bool is_bridge_layout() const { return layout == 1; }
};

// Never fails: a config space always holds the 64-byte header. Defects are
// recorded in Header::problems.
Header decode_header(const ConfigSpace& config);

// Decodes BAR registers `first` .. `first + count - 1` at `base_offset`; used
// for the header and for SR-IOV VF BARs, which share the encoding.
std::vector<Bar> decode_bars(const ConfigSpace& config, uint16_t base_offset, unsigned count,
                             std::vector<Error>& problems);

}  // namespace vfiokit::pci

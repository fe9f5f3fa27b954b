// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/header.hpp"

#include <fmt/format.h>

#include "vfiokit/pci/registers.hpp"

namespace vfiokit::pci {

const char* bar_kind_name(BarKind kind) {
  switch (kind) {
    case BarKind::io: return "io";
    case BarKind::mem32: return "mem32";
    case BarKind::mem64: return "mem64";
    case BarKind::mem_below_1m: return "mem1m";
  }
  return "unknown";
}

std::vector<Bar> decode_bars(const ConfigSpace& config, uint16_t base_offset, unsigned count,
                             std::vector<Error>& problems) {
  std::vector<Bar> bars;
  for (unsigned i = 0; i < count; ++i) {
    const auto offset = static_cast<uint16_t>(base_offset + 4 * i);
    const auto low = config.read32(offset);
    if (!low) {
      problems.push_back(low.error());
      break;
    }
    // An all-ones read means the function does not answer; zero means the BAR
    // is not implemented or not yet assigned (the size decides, from sysfs).
    if (*low == 0 || *low == 0xffffffffu) continue;
    Bar bar;
    bar.index = i;
    bar.raw_low = *low;
    if (*low & reg::kBarSpaceIo) {
      bar.kind = BarKind::io;
      bar.address = *low & reg::kBarIoAddressMask;
    } else {
      bar.prefetchable = (*low & reg::kBarMemPrefetch) != 0;
      bar.address = *low & reg::kBarMemAddressMask;
      switch (*low & reg::kBarMemTypeMask) {
        case reg::kBarMemType64: {
          bar.kind = BarKind::mem64;
          if (i + 1 >= count) {
            problems.push_back(
                Error(Errc::malformed, "BAR", fmt::format("BAR{} is 64-bit but is the last BAR register", i))
                    .at_offset(offset));
            break;
          }
          const auto high = config.read32(offset + 4u);
          if (!high) {
            problems.push_back(high.error());
            break;
          }
          bar.address |= static_cast<uint64_t>(*high) << 32;
          ++i;  // the upper half is consumed
          break;
        }
        case reg::kBarMemType1M: bar.kind = BarKind::mem_below_1m; break;
        case reg::kBarMemType32: bar.kind = BarKind::mem32; break;
        default:
          problems.push_back(
              Error(Errc::malformed, "BAR", fmt::format("BAR{} has the reserved memory type 3", i)).at_offset(offset));
          bar.kind = BarKind::mem32;
      }
    }
    bars.push_back(bar);
  }
  return bars;
}

namespace {

uint8_t byte_at(const ConfigSpace& c, uint16_t off) { return c.read8(off).value_or(0); }
uint16_t word_at(const ConfigSpace& c, uint16_t off) { return c.read16(off).value_or(0); }
uint32_t dword_at(const ConfigSpace& c, uint16_t off) { return c.read32(off).value_or(0); }

// Bridge windows (PCI-to-PCI Bridge Architecture 1.2 §3.2.5.6-9).
BridgeInfo decode_bridge(const ConfigSpace& c) {
  BridgeInfo b;
  b.primary_bus = byte_at(c, reg::kPrimaryBus);
  b.secondary_bus = byte_at(c, reg::kSecondaryBus);
  b.subordinate_bus = byte_at(c, reg::kSubordinateBus);
  b.bridge_control = word_at(c, reg::kBridgeControl);

  const uint8_t io_base = byte_at(c, reg::kIoBase);
  const uint8_t io_limit = byte_at(c, reg::kIoLimit);
  // Both registers zero with no I/O capability bits means the window is not
  // implemented; otherwise bits 3:0 say 16-bit (0) or 32-bit (1) addressing.
  if (io_base != 0 || io_limit != 0) {
    uint64_t base = static_cast<uint64_t>(io_base & 0xf0) << 8;
    uint64_t limit = (static_cast<uint64_t>(io_limit & 0xf0) << 8) | 0xfff;
    if ((io_base & 0x0f) == 0x01) {
      base |= static_cast<uint64_t>(word_at(c, reg::kIoBaseUpper16)) << 16;
      limit |= static_cast<uint64_t>(word_at(c, reg::kIoLimitUpper16)) << 16;
    }
    b.io_window = Window{base, limit};
  }

  const uint16_t mem_base = word_at(c, reg::kMemoryBase);
  const uint16_t mem_limit = word_at(c, reg::kMemoryLimit);
  b.memory_window = Window{static_cast<uint64_t>(mem_base & 0xfff0) << 16,
                           (static_cast<uint64_t>(mem_limit & 0xfff0) << 16) | 0xfffff};

  const uint16_t pref_base = word_at(c, reg::kPrefMemoryBase);
  const uint16_t pref_limit = word_at(c, reg::kPrefMemoryLimit);
  if (pref_base != 0 || pref_limit != 0) {
    uint64_t base = static_cast<uint64_t>(pref_base & 0xfff0) << 16;
    uint64_t limit = (static_cast<uint64_t>(pref_limit & 0xfff0) << 16) | 0xfffff;
    if ((pref_base & 0x0f) == 0x01) {
      b.prefetch_window_64bit = true;
      base |= static_cast<uint64_t>(dword_at(c, reg::kPrefBaseUpper32)) << 32;
      limit |= static_cast<uint64_t>(dword_at(c, reg::kPrefLimitUpper32)) << 32;
    }
    b.prefetch_window = Window{base, limit};
  }
  return b;
}

}  // namespace

Header decode_header(const ConfigSpace& c) {
  Header h;
  h.vendor_id = word_at(c, reg::kVendorId);
  h.device_id = word_at(c, reg::kDeviceId);
  h.command = word_at(c, reg::kCommand);
  h.status = word_at(c, reg::kStatus);
  h.revision = byte_at(c, reg::kRevision);
  h.class_code = dword_at(c, reg::kRevision) >> 8;
  const uint8_t header_type = byte_at(c, reg::kHeaderType);
  h.layout = header_type & reg::kHeaderLayoutMask;
  h.multifunction = (header_type & reg::kHeaderMultifunction) != 0;
  h.interrupt_line = byte_at(c, reg::kInterruptLine);
  h.interrupt_pin = byte_at(c, reg::kInterruptPin);

  switch (h.layout) {
    case reg::kHeaderTypeNormal:
      h.bars = decode_bars(c, reg::kBar0, 6, h.problems);
      h.subsystem_vendor_id = word_at(c, reg::kSubsystemVendorId);
      h.subsystem_id = word_at(c, reg::kSubsystemId);
      h.rom_address = dword_at(c, reg::kRomAddress);
      break;
    case reg::kHeaderTypeBridge:
      h.bars = decode_bars(c, reg::kBar0, 2, h.problems);
      h.rom_address = dword_at(c, reg::kBridgeRomAddress);
      h.bridge = decode_bridge(c);
      break;
    case reg::kHeaderTypeCardbus: break;
    default:
      h.problems.push_back(Error(Errc::malformed, "header", fmt::format("unknown header type {:#x}", h.layout))
                               .at_offset(reg::kHeaderType));
  }
  return h;
}

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/capability_walk.hpp"

#include <fmt/format.h>

#include <bitset>

#include "vfiokit/pci/registers.hpp"

namespace vfiokit::pci {
namespace {

ChainDefect defect(CapSpace space, uint16_t at, std::string reason) {
  return ChainDefect{space, at, std::move(reason)};
}

}  // namespace

CapabilityChain walk_standard_capabilities(const ConfigSpace& c) {
  CapabilityChain chain;
  if (!c.has_capability_area()) return chain;  // only the header was read
  const uint16_t status = c.read16(reg::kStatus).value_or(0);
  if (!(status & reg::kStatusCapList)) return chain;

  const uint8_t layout = c.read8(reg::kHeaderType).value_or(0) & reg::kHeaderLayoutMask;
  uint16_t pointer_at = layout == reg::kHeaderTypeCardbus ? reg::kCardbusCapabilityPointer : reg::kCapabilityPointer;
  uint16_t next = c.read8(pointer_at).value_or(0);
  std::bitset<256> visited;

  while (next != 0) {
    const auto here = [&](std::string why) {
      chain.defect = defect(CapSpace::standard, pointer_at, fmt::format("capability pointer {:#04x} {}", next, why));
    };
    // Bits 1:0 of a capability pointer are reserved and must read as zero.
    if (next & 0x3) {
      here("is not dword aligned");
      break;
    }
    if (next < reg::kStandardCapStart) {
      here("points into the header");
      break;
    }
    if (visited.test(next)) {
      here("loops back to an earlier capability");
      break;
    }
    if (chain.entries.size() >= reg::kStandardCapMaxEntries) {
      here(fmt::format("leads past {} entries", reg::kStandardCapMaxEntries));
      break;
    }
    visited.set(next);
    const uint8_t id = c.read8(next).value_or(0xff);
    // 0xff is what a function that does not answer returns.
    if (id == 0xff) {
      chain.defect = defect(CapSpace::standard, next, "capability ID 0xff: the chain is broken");
      break;
    }
    chain.entries.push_back(CapabilityRef{CapSpace::standard, id, next, 0});
    pointer_at = static_cast<uint16_t>(next + 1);
    next = c.read8(pointer_at).value_or(0);
  }
  return chain;
}

CapabilityChain walk_extended_capabilities(const ConfigSpace& c) {
  CapabilityChain chain;
  if (!c.has_extended_area()) return chain;
  uint16_t where = reg::kExtendedCapStart;
  uint16_t pointer_at = reg::kExtendedCapStart;
  std::bitset<4096 / 4> visited;

  while (true) {
    const uint32_t header = c.read32(where).value_or(0);
    if (header == 0) {
      // An all-zero header at 0x100 means no extended capabilities. Further
      // down the chain it is a pointer to nothing.
      if (where != reg::kExtendedCapStart)
        chain.defect =
            defect(CapSpace::extended, pointer_at, fmt::format("next pointer {:#05x} leads to an empty header", where));
      break;
    }
    if (header == 0xffffffffu) {
      chain.defect = defect(CapSpace::extended, where, "header reads all ones: the chain is broken");
      break;
    }
    if (visited.test(where / 4)) {
      chain.defect = defect(CapSpace::extended, pointer_at,
                            fmt::format("next pointer {:#05x} loops back to an earlier capability", where));
      break;
    }
    if (chain.entries.size() >= reg::kExtendedCapMaxEntries) {
      chain.defect = defect(CapSpace::extended, pointer_at,
                            fmt::format("next pointer leads past {} entries", reg::kExtendedCapMaxEntries));
      break;
    }
    visited.set(where / 4);
    chain.entries.push_back(CapabilityRef{CapSpace::extended, static_cast<uint16_t>(header & 0xffff), where,
                                          static_cast<uint8_t>((header >> 16) & 0xf)});
    const auto next = static_cast<uint16_t>(header >> 20);
    if (next == 0) break;
    pointer_at = where;
    const auto bad = [&](std::string why) {
      chain.defect = defect(CapSpace::extended, pointer_at, fmt::format("next pointer {:#05x} {}", next, why));
    };
    if (next & 0x3) {
      bad("is not dword aligned");
      break;
    }
    if (next < reg::kExtendedCapStart) {
      bad("points below 0x100, out of the extended area");
      break;
    }
    where = next;
  }
  return chain;
}

}  // namespace vfiokit::pci

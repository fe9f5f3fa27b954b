// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/virt/virtual_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "vfiokit/pci/capability_names.hpp"
#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::virt {

namespace {

constexpr uint8_t kMsi = 0x05, kMsix = 0x11;
constexpr uint16_t kRebar = 0x0015;
// The sizes QEMU lets a guest see: 1 MiB (encoding 0) .. 512 GiB (encoding 19).
constexpr uint64_t kRebarMin = 1ull << 20;
constexpr unsigned kRebarLastEncoding = 19;

bool contains(const auto& list, auto value) { return std::find(list.begin(), list.end(), value) != list.end(); }

}  // namespace

uint32_t VirtualConfig::raw(const std::vector<uint8_t>& bytes, uint16_t offset, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && size_t(offset) + i < bytes.size(); ++i) v |= uint32_t(bytes[offset + i]) << (8 * i);
  return v;
}

void VirtualConfig::emulate(uint16_t offset, unsigned size, uint32_t value, uint32_t writable) {
  for (unsigned i = 0; i < size && size_t(offset) + i < phys_.size(); ++i) {
    virt_[offset + i] = uint8_t(value >> (8 * i));
    emu_[offset + i] = 0xFF;
    writable_[offset + i] = uint8_t(writable >> (8 * i));
  }
}

Result<VirtualConfig> VirtualConfig::build(std::span<const uint8_t> physical,
                                           const std::array<uint64_t, 7>& region_sizes, const VirtPolicy& policy) {
  if (physical.size() != pci::kConventionalSize && physical.size() != pci::kExtendedSize)
    return fail(Errc::invalid_argument, "virtual config",
                fmt::format("physical config space of {} bytes (256 or 4096 expected)", physical.size()));
  if ((physical[0x0E] & 0x7F) != 0)
    return fail(Errc::unsupported, "virtual config",
                fmt::format("header type {} is not an endpoint's (bridges are not assigned)", physical[0x0E] & 0x7F));
  VirtualConfig v;
  v.phys_.assign(physical.begin(), physical.end());
  v.virt_.assign(physical.size(), 0);
  v.emu_.assign(physical.size(), 0);
  v.writable_.assign(physical.size(), 0);
  v.sizes_ = region_sizes;
  v.policy_ = policy;
  // Identity, class, header type, subsystem: read-only copies. Cache line
  // size, latency timer and interrupt line are the guest's to write.
  v.emulate(0x00, 4, v.raw(v.phys_, 0x00, 4), 0);
  v.emulate(0x08, 4, v.raw(v.phys_, 0x08, 4), 0);
  v.emulate(0x0C, 4, v.raw(v.phys_, 0x0C, 4) & 0x00FF0000, 0x0000FFFF);
  v.emulate(0x28, 4, v.raw(v.phys_, 0x28, 4), 0);
  v.emulate(0x2C, 4, v.raw(v.phys_, 0x2C, 4), 0);
  v.emulate(0x3C, 4, v.raw(v.phys_, 0x3C, 4), 0x000000FF);
  v.setup_bars();
  v.setup_standard_chain(policy);
  if (physical.size() == pci::kExtendedSize) v.setup_extended_chain(policy);
  return v;
}

void VirtualConfig::setup_bars() {
  for (unsigned i = 0; i < 6; ++i) {
    const uint16_t off = uint16_t(0x10 + 4 * i);
    const uint32_t low = raw(phys_, off, 4);
    const uint64_t size = sizes_[i];
    if (low & 1) {  // I/O
      emulate(off, 4, low & 0x3, size ? uint32_t(~(size - 1)) & ~0x3u : 0);
      continue;
    }
    const bool is64 = ((low >> 1) & 3) == 2 && i < 5;
    emulate(off, 4, low & 0xF, size ? uint32_t(~(size - 1)) & ~0xFu : 0);
    if (is64) {
      emulate(uint16_t(off + 4), 4, 0, size ? uint32_t(~(size - 1) >> 32) : 0);
      ++i;
    }
  }
  const uint64_t rom = sizes_[6];
  emulate(0x30, 4, 0, rom ? (uint32_t(~(rom - 1)) & 0xFFFFF800u) | 1u : 0);
}

void VirtualConfig::setup_standard_chain(const VirtPolicy& policy) {
  const auto config = pci::ConfigSpace::from_bytes(phys_);
  if (!config) return;
  const auto chain = pci::walk_standard_capabilities(*config);
  std::vector<pci::CapabilityRef> visible;
  for (const auto& c : chain.entries) {
    if (contains(policy.hide_standard, uint8_t(c.id))) {
      standard_rewrites_.push_back(fmt::format("hidden {} at 0x{:02x}", pci::capability_name(c.space, c.id), c.offset));
      continue;
    }
    visible.push_back(c);
  }
  emulate(0x34, 1, visible.empty() ? 0 : visible.front().offset, 0);
  for (size_t i = 0; i < visible.size(); ++i) {
    const uint16_t o = visible[i].offset;
    emulate(uint16_t(o + 1), 1, i + 1 < visible.size() ? visible[i + 1].offset : 0, 0);
    if (visible[i].id == kMsi) {
      const uint16_t control = uint16_t(raw(phys_, uint16_t(o + 2), 2));
      const bool is64 = control & 0x80, masking = control & 0x100;
      // Enable and Multiple Message Enable are the guest's; the rest is the device's capability.
      emulate(uint16_t(o + 2), 2, control & ~0x0071u, 0x0071);
      emulate(uint16_t(o + 4), 4, 0, 0xFFFFFFFC);
      uint16_t next = uint16_t(o + 8);
      if (is64) emulate(next, 4, 0, 0xFFFFFFFF), next = uint16_t(next + 4);
      emulate(next, 2, 0, 0xFFFF);
      next = uint16_t(next + 4);
      if (masking) emulate(next, 4, 0, 0xFFFFFFFF), emulate(uint16_t(next + 4), 4, 0, 0), next = uint16_t(next + 8);
      interrupt_caps_.push_back({o, kMsi});
      interrupt_ranges_.push_back({o, next});
    } else if (visible[i].id == kMsix) {
      // Enable and Function Mask are the guest's; table and PBA stay where they are.
      const uint16_t control = uint16_t(raw(phys_, uint16_t(o + 2), 2));
      emulate(uint16_t(o + 2), 2, control & 0x07FF, 0xC000);
      emulate(uint16_t(o + 4), 4, raw(phys_, uint16_t(o + 4), 4), 0);
      emulate(uint16_t(o + 8), 4, raw(phys_, uint16_t(o + 8), 4), 0);
      interrupt_caps_.push_back({o, kMsix});
      interrupt_ranges_.push_back({o, uint16_t(o + 12)});
    }
  }
  if (chain.defect)
    standard_rewrites_.push_back(
        fmt::format("standard chain cut at 0x{:02x}: {}", chain.defect->offset, chain.defect->reason));
}

bool VirtualConfig::setup_static_rebar(uint16_t o) {
  const uint32_t ctrl0 = raw(phys_, uint16_t(o + 8), 4);
  const unsigned entries = (ctrl0 >> 5) & 7;
  if (entries == 0 || entries > 6 || o + 4 + 8 * entries > phys_.size()) return false;
  for (unsigned i = 0; i < entries; ++i) {
    const uint16_t ctrl_at = uint16_t(o + 8 + 8 * i);
    const uint32_t ctrl = raw(phys_, ctrl_at, 4);
    unsigned enc = (ctrl >> 8) & 0x3F;
    const unsigned bar = ctrl & 7;
    // The region size VFIO reports is the truth when it changed since.
    if (bar < 6 && sizes_[bar] && std::has_single_bit(sizes_[bar]) && sizes_[bar] >= kRebarMin)
      enc = unsigned(std::countr_zero(sizes_[bar])) - 20;
    if (enc > kRebarLastEncoding) return false;  // outside 1 MiB..512 GiB: QEMU hides the capability
    emulate(uint16_t(o + 4 + 8 * i), 4, 1u << (enc + 4), 0);
    emulate(ctrl_at, 4, (ctrl & (0xE0 | 0x7)) | (enc << 8), 0);
  }
  return true;
}

void VirtualConfig::setup_extended_chain(const VirtPolicy& policy) {
  const auto config = pci::ConfigSpace::from_bytes(phys_);
  if (!config) return;
  const auto chain = pci::walk_extended_capabilities(*config);
  std::vector<pci::CapabilityRef> visible;
  rebar_.reset();
  extended_rewrites_.clear();
  for (const auto& c : chain.entries) {
    bool hide = contains(policy.hide_extended, c.id);
    if (c.id == kRebar && !hide) {
      hide = !policy.static_rebar || !setup_static_rebar(c.offset);
      if (hide)
        extended_rewrites_.push_back(
            fmt::format("hidden Resizable BAR at 0x{:03x}: {}", c.offset,
                        policy.static_rebar ? "a current size is outside 1MiB..512GiB" : "the policy hides it"));
      else {
        rebar_ = c.offset;
        extended_rewrites_.push_back(
            fmt::format("Resizable BAR at 0x{:03x} made static: current sizes only, read-only", c.offset));
      }
    } else if (hide) {
      extended_rewrites_.push_back(fmt::format("hidden {} at 0x{:03x}", pci::capability_name(c.space, c.id), c.offset));
    }
    if (!hide) visible.push_back(c);
  }
  // The list must start at 0x100: when that capability is hidden, a null
  // header there points on to the first visible one (as vfio-pci does).
  if (visible.empty() || visible.front().offset != 0x100)
    emulate(0x100, 4, visible.empty() ? 0 : uint32_t(visible.front().offset) << 20, 0);
  for (size_t i = 0; i < visible.size(); ++i) {
    const auto& c = visible[i];
    const uint32_t next = i + 1 < visible.size() ? visible[i + 1].offset : 0;
    emulate(c.offset, 4, uint32_t(c.id) | uint32_t(c.version) << 16 | next << 20, 0);
  }
  if (chain.defect)
    extended_rewrites_.push_back(
        fmt::format("extended chain cut at 0x{:03x}: {}", chain.defect->offset, chain.defect->reason));
}

uint32_t VirtualConfig::read(uint16_t offset, unsigned size) const {
  if ((size != 1 && size != 2 && size != 4) || offset % size || size_t(offset) + size > phys_.size())
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const size_t b = offset + i;
    v |= uint32_t(uint8_t((virt_[b] & emu_[b]) | (phys_[b] & ~emu_[b]))) << (8 * i);
  }
  return v;
}

std::vector<uint8_t> VirtualConfig::guest_bytes() const {
  std::vector<uint8_t> out(phys_.size());
  for (size_t b = 0; b < out.size(); ++b) out[b] = uint8_t((virt_[b] & emu_[b]) | (phys_[b] & ~emu_[b]));
  return out;
}

std::optional<Passthrough> VirtualConfig::write(uint16_t offset, unsigned size, uint32_t value) {
  if ((size != 1 && size != 2 && size != 4) || offset % size || size_t(offset) + size > phys_.size())
    return std::nullopt;
  uint32_t pass = 0;
  for (unsigned i = 0; i < size; ++i) {
    const size_t b = offset + i;
    const uint8_t byte = uint8_t(value >> (8 * i));
    const uint8_t w = emu_[b] & writable_[b];
    virt_[b] = uint8_t((virt_[b] & ~w) | (byte & w));
    pass |= uint32_t(uint8_t(~emu_[b])) << (8 * i);
  }
  for (size_t i = 0; i < interrupt_ranges_.size(); ++i) {
    const auto [start, end] = interrupt_ranges_[i];
    if (offset < end && offset + size > start && on_capability_write)
      on_capability_write({interrupt_caps_[i].second, interrupt_caps_[i].first, offset, size});
  }
  if (pass == 0) return std::nullopt;
  return Passthrough{offset, size, value & pass, pass};
}

void VirtualConfig::refresh_physical(std::span<const uint8_t> physical) {
  std::copy_n(physical.begin(), std::min(physical.size(), phys_.size()), phys_.begin());
}

void VirtualConfig::update_region_size(unsigned index, uint64_t size) {
  if (index >= sizes_.size() || sizes_[index] == size) return;
  sizes_[index] = size;
  // Keep the guest's addresses; recompute the sizing masks.
  std::vector<uint8_t> keep(virt_.begin() + 0x10, virt_.begin() + 0x34);
  setup_bars();
  for (size_t i = 0; i < keep.size(); ++i)
    virt_[0x10 + i] = uint8_t(keep[i] & writable_[0x10 + i]) | uint8_t(virt_[0x10 + i] & ~writable_[0x10 + i]);
  if (phys_.size() == pci::kExtendedSize) setup_extended_chain(policy_);
}

std::vector<std::string> VirtualConfig::rewrites() const {
  std::vector<std::string> out = standard_rewrites_;
  out.insert(out.end(), extended_rewrites_.begin(), extended_rewrites_.end());
  return out;
}

uint64_t VirtualConfig::guest_bar_address(unsigned index) const {
  if (index >= 6) return raw(virt_, 0x30, 4) & 0xFFFFF800u;
  const uint16_t off = uint16_t(0x10 + 4 * index);
  const uint32_t low = raw(virt_, off, 4);
  if (low & 1) return low & ~0x3u;
  uint64_t addr = low & ~0xFu;
  if (((low >> 1) & 3) == 2 && index < 5) addr |= uint64_t(raw(virt_, uint16_t(off + 4), 4)) << 32;
  return addr;
}

}  // namespace vfiokit::virt

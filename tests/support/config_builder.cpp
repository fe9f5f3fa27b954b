// SPDX-License-Identifier: Apache-2.0
#include "support/config_builder.hpp"

#include <stdexcept>

#include "vfiokit/pci/registers.hpp"

namespace vfiokit::testing {

ConfigBuilder::ConfigBuilder(size_t size) : bytes_(size, 0) { ids(0x1af4, 0x1000).class_code(0x020000); }

ConfigBuilder& ConfigBuilder::u8(size_t offset, uint8_t value) {
  bytes_.at(offset) = value;
  return *this;
}
ConfigBuilder& ConfigBuilder::u16(size_t offset, uint16_t value) {
  u8(offset, static_cast<uint8_t>(value));
  return u8(offset + 1, static_cast<uint8_t>(value >> 8));
}
ConfigBuilder& ConfigBuilder::u32(size_t offset, uint32_t value) {
  u16(offset, static_cast<uint16_t>(value));
  return u16(offset + 2, static_cast<uint16_t>(value >> 16));
}

ConfigBuilder& ConfigBuilder::ids(uint16_t vendor, uint16_t device) { return u16(0, vendor).u16(2, device); }
ConfigBuilder& ConfigBuilder::class_code(uint32_t code) {
  return u8(9, static_cast<uint8_t>(code))
      .u8(10, static_cast<uint8_t>(code >> 8))
      .u8(11, static_cast<uint8_t>(code >> 16));
}
ConfigBuilder& ConfigBuilder::header_type(uint8_t layout, bool multifunction) {
  return u8(pci::reg::kHeaderType, static_cast<uint8_t>(layout | (multifunction ? 0x80 : 0)));
}
ConfigBuilder& ConfigBuilder::command(uint16_t value) { return u16(pci::reg::kCommand, value); }

ConfigBuilder& ConfigBuilder::cap(uint8_t offset, uint8_t id, std::initializer_list<uint8_t> body) {
  if (last_std_next_ == 0) {
    u16(pci::reg::kStatus, static_cast<uint16_t>(bytes_[6] | bytes_[7] << 8 | pci::reg::kStatusCapList));
    u8(pci::reg::kCapabilityPointer, offset);
  } else {
    u8(last_std_next_, offset);
  }
  u8(offset, id).u8(offset + 1u, 0);
  size_t at = offset + 2u;
  for (uint8_t b : body) u8(at++, b);
  last_std_next_ = offset + 1u;
  return *this;
}

ConfigBuilder& ConfigBuilder::ext_cap(uint16_t offset, uint16_t id, uint8_t version) {
  if (last_ext_ != 0) {
    const uint32_t prev = bytes_[last_ext_] | bytes_[last_ext_ + 1] << 8 | bytes_[last_ext_ + 2] << 16 |
                          static_cast<uint32_t>(bytes_[last_ext_ + 3]) << 24;
    u32(last_ext_, (prev & 0x000fffff) | static_cast<uint32_t>(offset) << 20);
  } else if (offset != pci::reg::kExtendedCapStart) {
    throw std::logic_error("the first extended capability must be at 0x100");
  }
  u32(offset, id | static_cast<uint32_t>(version & 0xf) << 16);
  last_ext_ = offset;
  return *this;
}

ConfigBuilder& ConfigBuilder::power_management(uint8_t offset, uint16_t pmc, uint16_t pmcsr) {
  cap(offset, 0x01);
  return u16(offset + 2u, pmc).u16(offset + 4u, pmcsr);
}

ConfigBuilder& ConfigBuilder::pci_express(uint8_t offset, pci::PcieType type, bool flr, uint8_t version) {
  cap(offset, 0x10);
  u16(offset + 2u, static_cast<uint16_t>(version | static_cast<unsigned>(type) << 4));
  u32(offset + 4u, flr ? (1u << 28) | 0x1 : 0x1);
  u32(offset + 0x0cu, 0x3 | 16u << 4);                        // 8 GT/s x16 capable
  u16(offset + 0x12u, static_cast<uint16_t>(0x3 | 8u << 4));  // 8 GT/s x8 now
  return *this;
}

ConfigBuilder& ConfigBuilder::msix(uint8_t offset, unsigned vectors, uint32_t table, uint32_t pba) {
  cap(offset, 0x11);
  return u16(offset + 2u, static_cast<uint16_t>(vectors - 1)).u32(offset + 4u, table).u32(offset + 8u, pba);
}

ConfigBuilder& ConfigBuilder::acs(uint16_t offset, uint16_t capability, uint16_t control) {
  ext_cap(offset, 0x000d);
  return u16(offset + 4u, capability).u16(offset + 6u, control);
}

ConfigBuilder& ConfigBuilder::rebar(uint16_t offset, std::initializer_list<RebarSpec> bars, bool for_vfs) {
  ext_cap(offset, for_vfs ? 0x0024 : 0x0015);
  unsigned i = 0;
  for (const RebarSpec& b : bars) {
    const uint32_t capability = static_cast<uint32_t>(b.supported & 0x0fffffff) << 4;
    uint32_t control = (b.bar & 0x7) | (b.current & 0x3f) << 8 | static_cast<uint32_t>(b.supported >> 28) << 16;
    if (i == 0) control |= static_cast<uint32_t>(bars.size()) << 5;
    u32(offset + 4u + 8 * i, capability).u32(offset + 8u + 8 * i, control);
    ++i;
  }
  return *this;
}

ConfigBuilder& ConfigBuilder::sriov(uint16_t offset, uint16_t total_vfs, uint16_t num_vfs, uint16_t vf_device) {
  ext_cap(offset, 0x0010);
  u16(offset + 0x0cu, total_vfs).u16(offset + 0x0eu, total_vfs).u16(offset + 0x10u, num_vfs);
  u16(offset + 0x14u, 0x80).u16(offset + 0x16u, 1).u16(offset + 0x1au, vf_device);
  u32(offset + 0x1cu, 0x553).u32(offset + 0x20u, 1);
  return u32(offset + 0x24u, 0x0000000c).u32(offset + 0x28u, 0x00000080);  // VF BAR0: 64-bit prefetchable
}

ConfigBuilder& ConfigBuilder::dsn(uint16_t offset, uint64_t serial) {
  ext_cap(offset, 0x0003);
  return u32(offset + 4u, static_cast<uint32_t>(serial)).u32(offset + 8u, static_cast<uint32_t>(serial >> 32));
}

pci::ConfigSpace ConfigBuilder::build() const { return pci::ConfigSpace::from_bytes(bytes_).value(); }

}  // namespace vfiokit::testing

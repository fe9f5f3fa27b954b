// SPDX-License-Identifier: Apache-2.0
// Builds synthetic config spaces for tests, fixtures and the differential
// corpus: a header plus capabilities linked into valid (or deliberately
// broken) chains.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "vfiokit/pci/caps/pci_express.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::testing {

struct RebarSpec {
  unsigned bar = 0;
  uint64_t supported = 0;  // bit e = encoding e (2^(e+20) bytes)
  unsigned current = 0;    // encoding
};

class ConfigBuilder {
 public:
  explicit ConfigBuilder(size_t size = pci::kExtendedSize);

  ConfigBuilder& ids(uint16_t vendor, uint16_t device);
  ConfigBuilder& class_code(uint32_t code);
  ConfigBuilder& header_type(uint8_t layout, bool multifunction = false);
  ConfigBuilder& command(uint16_t value);
  ConfigBuilder& u8(size_t offset, uint8_t value);
  ConfigBuilder& u16(size_t offset, uint16_t value);
  ConfigBuilder& u32(size_t offset, uint32_t value);

  // Standard capability at `offset` (id, next, then `body` from offset + 2),
  // linked after the previous one (or from 0x34, setting Status.CapList).
  ConfigBuilder& cap(uint8_t offset, uint8_t id, std::initializer_list<uint8_t> body = {});
  // Extended capability at `offset`, linked after the previous one.
  ConfigBuilder& ext_cap(uint16_t offset, uint16_t id, uint8_t version = 1);

  ConfigBuilder& power_management(uint8_t offset, uint16_t pmc, uint16_t pmcsr);
  ConfigBuilder& pci_express(uint8_t offset, pci::PcieType type, bool flr = false, uint8_t version = 2);
  ConfigBuilder& msix(uint8_t offset, unsigned vectors, uint32_t table, uint32_t pba);
  ConfigBuilder& acs(uint16_t offset, uint16_t capability, uint16_t control);
  ConfigBuilder& rebar(uint16_t offset, std::initializer_list<RebarSpec> bars, bool for_vfs = false);
  ConfigBuilder& sriov(uint16_t offset, uint16_t total_vfs, uint16_t num_vfs, uint16_t vf_device);
  ConfigBuilder& dsn(uint16_t offset, uint64_t serial);

  pci::ConfigSpace build() const;
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  size_t last_std_next_ = 0;  // where the next standard pointer goes
  size_t last_ext_ = 0;       // header offset of the last extended cap
};

}  // namespace vfiokit::testing

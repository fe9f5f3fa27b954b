// SPDX-License-Identifier: Apache-2.0
// Single Root I/O Virtualization, extended ID 0x0010 (PCIe r6 §9.3.3).
#pragma once

#include <cstdint>
#include <vector>

#include "vfiokit/pci/caps/cap_fields.hpp"
#include "vfiokit/pci/header.hpp"

namespace vfiokit::pci {

struct Sriov {
  static constexpr uint16_t kId = 0x0010;
  uint32_t capabilities = 0;
  uint16_t control = 0;
  uint16_t status = 0;
  uint16_t initial_vfs = 0;
  uint16_t total_vfs = 0;
  uint16_t num_vfs = 0;
  uint8_t function_dependency_link = 0;
  uint16_t vf_offset = 0;
  uint16_t vf_stride = 0;
  uint16_t vf_device_id = 0;
  uint32_t supported_page_sizes = 0;
  uint32_t system_page_size = 0;
  std::vector<Bar> vf_bars;  // addresses of VF BAR0..5 (sizes are per VF)
  std::vector<Error> problems;

  bool vf_enable() const { return control & 0x1; }
  bool vf_memory_space() const { return control & 0x8; }
  bool ari_hierarchy() const { return control & 0x10; }
};

Result<Sriov> decode_sriov(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci

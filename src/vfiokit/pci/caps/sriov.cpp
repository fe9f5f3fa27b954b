// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/sriov.hpp"

namespace vfiokit::pci {

Result<Sriov> decode_sriov(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 0x40, "SR-IOV capability");
  if (!f) return std::unexpected(f.error());
  Sriov s;
  s.capabilities = f->u32(0x04);
  s.control = f->u16(0x08);
  s.status = f->u16(0x0a);
  s.initial_vfs = f->u16(0x0c);
  s.total_vfs = f->u16(0x0e);
  s.num_vfs = f->u16(0x10);
  s.function_dependency_link = f->u8(0x12);
  s.vf_offset = f->u16(0x14);
  s.vf_stride = f->u16(0x16);
  s.vf_device_id = f->u16(0x1a);
  s.supported_page_sizes = f->u32(0x1c);
  s.system_page_size = f->u32(0x20);
  s.vf_bars = decode_bars(config, static_cast<uint16_t>(offset + 0x24), 6, s.problems);
  return s;
}

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/acs.hpp"

namespace vfiokit::pci {

Result<Acs> decode_acs(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 8, "ACS capability");
  if (!f) return std::unexpected(f.error());
  Acs a;
  a.capability = f->u16(4);
  a.control = f->u16(6);
  a.egress_vector_bits = (a.capability >> 8) & 0xff;
  if (a.egress_vector_bits == 0 && (a.capability & acs::kEgressControl)) a.egress_vector_bits = 256;
  return a;
}

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/cap_fields.hpp"

#include <fmt/format.h>

namespace vfiokit::pci {

Result<CapFields> CapFields::at(const ConfigSpace& config, uint16_t offset, size_t length, std::string_view name) {
  if (!config.contains(offset, length))
    return std::unexpected(
        Error(Errc::out_of_range, std::string(name),
              fmt::format("capability needs {} bytes but config space ends at {:#x}", length, config.size()))
            .at_offset(offset));
  return CapFields(config, offset);
}

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
// `vfiokit virt-config`'s result (schema vfiokit.virt-config/1): the
// function's regions with their sizes, the physical and the guest's
// capability lists, and every rewrite the virtual config space makes.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::cli {

struct VirtConfigResult {
  std::string device;
  std::array<uint64_t, 7> region_sizes{};  // BAR0-5 and the ROM, by VFIO region index
  pci::DecodedDevice physical, guest;
  std::vector<std::string> rewrites;
};

// "[40] Power Management", one line per capability in chain order.
std::vector<std::string> capability_lines(const pci::DecodedDevice& device);

nlohmann::ordered_json virt_config_json(const VirtConfigResult& result);
std::string virt_config_text(const VirtConfigResult& result);

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// Config-space dumps as people exchange them: the hex text `lspci -x`,
// `-xxx` and `-xxxx` print (one or many devices per file), or the raw bytes
// of a sysfs `config` file (64, 256 or 4096 bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::pci {

struct DumpedDevice {
  std::optional<Bdf> bdf;  // absent for a raw file or a text dump without device lines
  std::string title;       // the rest of the device line ("Ethernet controller: ...")
  ConfigSpace config;
  size_t line = 0;  // where the device starts in a text dump (1-based); 0 for raw
};

// `source` names the input in error messages ("dump.txt:12: ...").
Result<std::vector<DumpedDevice>> parse_dump(std::span<const uint8_t> content, std::string_view source);

// The `lspci -xxxx` text of one device, which `lspci -F` reads back.
std::string format_dump(const Bdf& bdf, std::string_view title, const ConfigSpace& config);

}  // namespace vfiokit::pci

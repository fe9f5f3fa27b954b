// SPDX-License-Identifier: Apache-2.0
// The JSON form of a decoded device (schema "vfiokit.devices/2", documented
// in docs/manual.md). Field names are stable; new fields may be added.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::cli {

inline constexpr const char* kDevicesSchema = "vfiokit.devices/2";

struct DeviceLabel {
  std::optional<pci::Bdf> bdf;
  std::string title;
  size_t source_line = 0;
  // What the host says beside config space (show): each BAR's size from
  // sysfs `resource` (config space alone cannot tell it without sizing the
  // BAR, which would disturb a running device) and the bound driver.
  // Absent for a dump.
  struct Host {
    std::vector<uint64_t> bar_sizes;  // by BAR index; 0 when unassigned
    std::string driver;               // "" when none is bound
  };
  std::optional<Host> host;
};

nlohmann::ordered_json device_json(const DeviceLabel& label, const pci::DecodedDevice& device, host::PciNames& names);
nlohmann::ordered_json capability_json(const pci::DecodedCapability& cap);
// A size in every document: {"bytes": N, "text": "256MiB"}.
nlohmann::ordered_json size_json(ByteSize size);
// An address range in every document: {"start": N, "end": N}, end inclusive.
nlohmann::ordered_json range_json(uint64_t start, uint64_t end);

}  // namespace vfiokit::cli

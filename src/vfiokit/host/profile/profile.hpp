// SPDX-License-Identifier: Apache-2.0
// A passthrough profile: what a VM's devices need, said once (a TOML file,
// docs/profiles.md): each device found by an identity that survives reboots
// and renumbering, the driver its IOMMU group goes to, the sizes of its
// Resizable BARs, and power and reset policy. `vfiokit up` applies it as one
// journaled change and `vfiokit down` gives everything back.
//
//   name = "win11"                 # optional: the file's name without .toml
//   force = false                  # take devices the host uses
//
//   [device.gpu]
//   id = "1002:73bf"               # vendor:device, and optionally
//   serial = "00-11-22-33-44-55-66-77"   # its Device Serial Number, or
//   subsystem = "1002:0e3a"        # its subsystem IDs;
//   # or slot = "3" (a physical slot's name, function = 0 by default),
//   # or bdf = "0000:03:00.0"
//   driver = "vfio-pci"            # the default
//   bar0 = "16G"                   # bar0..bar5: a size the BAR offers, or "max"
//   d3cold_allowed = false
//   reset_method = "flr"
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

struct IdPair {
  uint16_t vendor = 0, device = 0;
  bool operator==(const IdPair&) const = default;
  std::string str() const;
};

struct DeviceIdentity {
  std::optional<IdPair> id;
  std::optional<IdPair> subsystem;
  std::optional<uint64_t> serial;  // Device Serial Number, as lspci prints it (high byte first)
  std::optional<std::string> slot;
  unsigned function = 0;  // with slot
  std::optional<pci::Bdf> bdf;
  std::string describe() const;  // "id 1002:73bf, serial 00-11-...", as the profile says it
};

struct BarRequest {
  unsigned bar = 0;
  std::optional<ByteSize> size;  // nullopt: max
};

struct ProfileDevice {
  std::string name;
  unsigned line = 0;  // of its table in the file
  DeviceIdentity identity;
  std::string driver = "vfio-pci";
  std::vector<BarRequest> bars;
  std::optional<bool> d3cold_allowed;
  std::optional<std::string> reset_method;
};

struct Profile {
  std::string name;
  bool force = false;
  std::vector<ProfileDevice> devices;  // in the file's order
};

// Profile names are file names and journal keys: letters, digits, '-',
// '_' and '.', at most 64, not starting with '.'.
Result<void> check_profile_name(std::string_view name);

// Parses a profile's text. `source` names it in errors ("win11.toml");
// `default_name` is used when the text has no `name`. Every error names
// the file and line, and the key when one is at fault.
Result<Profile> parse_profile(std::string_view text, const std::string& source, const std::string& default_name);

// Reads and parses a profile file: a regular file (no link at its end, no
// FIFO), at most 1 MiB of UTF-8.
Result<Profile> read_profile(const std::filesystem::path& path);

// The text of a profile (what `vfiokit profile create` writes).
std::string profile_to_toml(const Profile& profile);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Reading a function's config space from sysfs `config`.
//
// The kernel gives the full 256 or 4096 bytes only to an opener with
// CAP_SYS_ADMIN; anyone else reads the first 64 bytes and then EOF
// (drivers/pci/pci-sysfs.c pci_read_config). We say which happened rather
// than present a partial view as the whole.
#pragma once

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/dir.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::host {

struct DeviceConfig {
  pci::ConfigSpace config;
  // The file is larger than what could be read: capabilities are not visible.
  bool limited_by_privilege = false;
  size_t file_size = 0;
};

Result<DeviceConfig> read_device_config(const SysfsRoot& root, const pci::Bdf& bdf);
// `config` in a function's open directory. On the live sysfs only as far as
// the capabilities go (host/config_to_last_capability.hpp): the bytes past
// that are zero in `config`; a snapshot's file is read whole.
Result<DeviceConfig> read_device_config(const SysfsDir& dir);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Reading a function's config space from the live sysfs as far as its
// capabilities go.
//
// On the kernel's sysfs every 4 bytes of `config` is a configuration read
// that reaches the device: pci_read_config() (drivers/pci/pci-sysfs.c)
// loops over dwords, each through the bus's config accessors, an ECAM MMIO
// round trip of about a microsecond on real hardware and an exit to the
// hypervisor in a guest. The whole 4096 bytes are 1024 such reads per
// function, seconds for a host of thousands of virtual functions. The
// extended capabilities of most devices sit in the first few hundred
// bytes, so the read follows the extended chain (PCIe r6 §7.6) and stops a
// window past the last capability: what the decoder reads is the same as
// in the whole file, and nothing after it is asked of the device.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// Bytes read past each extended capability's header: more than any
// capability vfiokit decodes needs (AER, the largest, is 0x48 bytes).
inline constexpr size_t kCapabilityWindow = 0x100;

struct PartialConfig {
  // 64, 256 or 4096 bytes, as decode wants them; past `read` all zero.
  std::vector<uint8_t> bytes;
  size_t read = 0;  // bytes asked of the device
};

using ConfigReadAt = std::function<Result<size_t>(size_t offset, std::span<uint8_t> into)>;

// `file_size` is what the file declares: 256, or 4096 when the function has
// extended config space. A read that stops short (an unprivileged reader
// gets 64 bytes) ends there, as a read of the whole file would.
Result<PartialConfig> read_config_to_last_capability(const ConfigReadAt& read_at, size_t file_size);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Checks CLI11 runs on option values while parsing, so that a malformed
// value is a usage error (exit 2) named after its option, before anything
// is read or changed.
#pragma once

#include <CLI/CLI.hpp>

namespace vfiokit::cli {

// A PCI address as pci::Bdf::parse accepts it.
CLI::Validator bdf_value();
// A device VFIO can open: a BDF or an mdev UUID (vfio::DeviceAddress).
CLI::Validator device_address_value();
// An mdev UUID.
CLI::Validator uuid_value();
// lspci's -s and -d patterns (pci/selection/device_patterns.hpp).
CLI::Validator slot_pattern_value();
CLI::Validator id_pattern_value();
// A BAR index: 0-5 (a type 0 header has six BARs).
CLI::Validator bar_index_value();

}  // namespace vfiokit::cli

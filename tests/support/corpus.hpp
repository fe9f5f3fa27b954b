// SPDX-License-Identifier: Apache-2.0
// The synthetic config spaces every decoder test, the lspci differential
// test and the fuzzer's seed corpus share. Each one exercises a case named
// by the foundation issue: several resizable BARs, extended sizes, partial
// ACS, SR-IOV with VF ReBAR, looped chains, and ordinary devices.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::testing {

struct CorpusDevice {
  std::string name;
  pci::Bdf bdf;
  pci::ConfigSpace config;
};

std::vector<CorpusDevice> synthetic_corpus();

// Writes each device as "<name>.lspci" in `lspci -xxxx` form.
void write_corpus(const std::filesystem::path& dir);

}  // namespace vfiokit::testing

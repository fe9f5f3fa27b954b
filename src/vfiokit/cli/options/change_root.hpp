// SPDX-License-Identifier: Apache-2.0
// Where a command that changes the host acts: the live /sys, or a simulated
// host (--simulate DIR: a sysfs tree whose writes a simulated kernel carries
// out, simulator/kernel). A simulation keeps its journal inside DIR
// unless --journal-dir says otherwise, so `recover` on the live host never
// sees it.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::cli {

struct ChangeRoot {
  std::string simulate;
  std::string journal_dir;
};

void add_change_root_options(CLI::App* cmd, ChangeRoot& options);
// --simulate alone, for commands that add --journal-dir themselves.
void add_simulate_option(CLI::App* cmd, std::string& simulate);
Result<host::SysfsRoot> open_change_root(const ChangeRoot& options);
std::filesystem::path journal_dir(const ChangeRoot& options);

}  // namespace vfiokit::cli

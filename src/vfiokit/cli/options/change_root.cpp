// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/change_root.hpp"

#include "vfiokit/cli/options/binding_target.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/simulator/kernel.hpp"

namespace vfiokit::cli {

void add_simulate_option(CLI::App* cmd, std::string& simulate) {
  cmd->add_option("--simulate", simulate,
                  "act on a simulated host: a sysfs tree (e.g. an unpacked snapshot) whose writes a simulated kernel "
                  "carries out");
}

void add_change_root_options(CLI::App* cmd, ChangeRoot& options) {
  add_simulate_option(cmd, options.simulate);
  add_journal_option(cmd, options.journal_dir);
}

Result<host::SysfsRoot> open_change_root(const ChangeRoot& options) {
  if (options.simulate.empty()) return host::SysfsRoot("/sys");
  return host::simulated_root(options.simulate);
}

std::filesystem::path journal_dir(const ChangeRoot& options) {
  if (!options.journal_dir.empty() || options.simulate.empty()) return host::Journal::choose(options.journal_dir).dir();
  return host::SimulatedKernel::state_file(options.simulate).parent_path() / "journal";
}

}  // namespace vfiokit::cli

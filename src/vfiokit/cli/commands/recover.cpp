// SPDX-License-Identifier: Apache-2.0
// `vfiokit recover`: after a crash or kill -9, undoes every change the
// journal shows unfinished, whatever the operation (a bind or release, a
// resize, an mdev creation), through the one recovery loop of host/change.
// Changes that completed and are held (a bound group) stay: their own
// command gives them back.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/change/recovery.hpp"
#include "vfiokit/host/known_changes.hpp"

namespace vfiokit::cli {
namespace {

int run_recover(const ChangeRoot& where) {
  auto root = open_change_root(where);
  if (!root) return print_error(root.error()), 1;
  const host::Journal journal(journal_dir(where));
  host::RecoveryReport report;
  report.held = [](const host::JournalEntry&, const host::Change& c) {
    fmt::print("{}: {}\n", c.subject(), c.held_summary());
  };
  report.undoing = [](const host::JournalEntry& e, const host::Change& c) {
    fmt::print("{}: {} {} at step {} of {} (pid {}); undoing\n", c.subject(), c.describe(),
               e.state == host::ChangeState::undoing ? "was being undone and stopped" : "stopped",
               std::min(e.next_step + 1, e.steps.size()), e.steps.size(), e.pid);
    for (const auto& line : c.preview()) fmt::print("  {}\n", line);
  };
  report.undone = [](const host::JournalEntry&, const host::Change& c) { fmt::print("  {}\n", c.undone()); };
  report.failed = [](const Error& e) { print_error(e); };
  const auto totals = host::recover_changes(*root, journal, host::known_change_kinds(), execution_options(), report);
  fmt::print("recover: {} operation(s) undone{}\n", totals.undone, totals.failed ? ", some failed (see above)" : "");
  return totals.failed ? 1 : 0;
}

}  // namespace

Runner add_recover_command(CLI::App& app) {
  auto where = std::make_shared<ChangeRoot>();
  CLI::App* cmd = app.add_subcommand("recover", "Undo the changes a crashed or killed run left unfinished");
  cmd->footer(
      "Every change vfiokit makes is journaled in /run/vfiokit, step by step, before it runs. After a\n"
      "crash or a kill -9 in the middle of one, recover finishes undoing it, back to the host as it was.\n"
      "Completed changes that are held (a bound group, a profile that is up) are left alone: release and\n"
      "down give those back.\n");
  add_change_root_options(cmd, *where);
  return [cmd, where] { return cmd->parsed() ? run_recover(*where) : -1; };
}

}  // namespace vfiokit::cli

// `vfiokit recover`: after a crash or kill -9, puts back every group whose
// bind or release did not finish, and undoes every resize that did not
// finish, and removes every mdev whose creation did not finish, from the
// journal. Groups whose bind completed stay held
// (`vfiokit release` gives them back).
#include <fmt/format.h>

#include <memory>

#include "cli/change_root.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "host/binding_executor.hpp"
#include "host/mdev_changes.hpp"
#include "host/resize_executor.hpp"

namespace vfiokit::cli {
namespace {

// Each unfinished resize: the BAR back to its original size if it changed,
// the removed functions rescanned, every driver and override restored.
int recover_resizes(const host::SysfsRoot& root, const host::ResizeJournal& journal, int& recovered) {
  auto entries = journal.list();
  if (!entries) return print_error(entries.error()), 1;
  int status = 0;
  for (const auto& e : *entries) {
    fmt::print("{} BAR {}: a {} {} -> {} stopped at step {} of {} (pid {}); undoing\n", e.bdf.str(), e.bar,
               e.rehearse ? "rehearsal of a resize" : "resize", e.from.str(), e.to.str(),
               std::min(e.next_step + 1, e.steps.size()), e.steps.size(), e.pid);
    if (auto ok = host::roll_back_resize(root, e, journal, host::ExecutionOptions::from_environment()); !ok) {
      print_error(ok.error());
      status = 1;
      continue;
    }
    fmt::print("  {} BAR {} is {}; every function is back as it was\n", e.bdf.str(), e.bar, e.from.str());
    ++recovered;
  }
  return status;
}

// Each interrupted mdev creation: the mdev removed if it appeared.
int recover_mdevs(const host::SysfsRoot& root, const host::MdevJournal& journal, int& recovered) {
  auto entries = journal.list();
  if (!entries) return print_error(entries.error()), 1;
  int status = 0;
  for (const auto& e : *entries) {
    fmt::print("mdev {} ({}/{}): a creation stopped (pid {}); removing\n", e.uuid.str(), e.parent, e.type, e.pid);
    auto removed = host::recover_mdev(root, e, journal);
    if (!removed) {
      print_error(removed.error());
      status = 1;
      continue;
    }
    fmt::print("  {}\n", *removed ? "removed" : "it was never created; nothing to remove");
    ++recovered;
  }
  return status;
}

int run_recover(const ChangeRoot& where) {
  auto root = open_change_root(where);
  if (!root) return print_error(root.error()), 1;
  const host::BindingJournal journal(journal_dir(where));
  auto entries = journal.list();
  if (!entries) {
    print_error(entries.error());
    return 1;
  }
  int status = 0, recovered = 0;
  for (const auto& e : *entries) {
    if (e.state == host::JournalState::held) {
      fmt::print("IOMMU group {}: held on {} (complete; `vfiokit release --group {}` gives it back)\n", e.group,
                 e.driver, e.group);
      continue;
    }
    if (e.state == host::JournalState::binding)
      fmt::print("IOMMU group {}: a bind stopped at step {} of {} (pid {}); restoring\n", e.group, e.next_step + 1,
                 e.steps.size(), e.pid);
    else
      fmt::print("IOMMU group {}: a release or rollback stopped (pid {}); restoring\n", e.group, e.pid);
    for (const auto& line : host::restore_preview(*root, e)) fmt::print("  {}\n", line);
    if (auto ok = host::restore_group(*root, e, journal, host::ExecutionOptions::from_environment()); !ok) {
      print_error(ok.error());
      status = 1;
      continue;
    }
    ++recovered;
  }
  if (recover_resizes(*root, host::ResizeJournal(journal.dir()), recovered)) status = 1;
  if (recover_mdevs(*root, host::MdevJournal(journal.dir()), recovered)) status = 1;
  fmt::print("recover: {} operation(s) undone{}\n", recovered, status ? ", some failed (see above)" : "");
  return status;
}

}  // namespace

Runner add_recover_command(CLI::App& app) {
  auto where = std::make_shared<ChangeRoot>();
  CLI::App* cmd = app.add_subcommand("recover", "Finish or undo binding and resize changes a crashed or killed run left");
  add_change_root_options(cmd, *where);
  return [cmd, where] { return cmd->parsed() ? run_recover(*where) : -1; };
}

}  // namespace vfiokit::cli

// `vfiokit recover`: after a crash or kill -9, puts back every group whose
// bind or release did not finish, from the journal. Groups whose bind
// completed stay held (`vfiokit release` gives them back).
#include <fmt/format.h>

#include <memory>

#include "cli/binding_target.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "host/binding_executor.hpp"

namespace vfiokit::cli {
namespace {

int run_recover(const std::string& journal_dir) {
  const host::SysfsRoot root("/sys");
  const auto journal = host::BindingJournal::choose(journal_dir);
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
    for (const auto& line : host::restore_preview(root, e)) fmt::print("  {}\n", line);
    if (auto ok = host::restore_group(root, e, journal, host::ExecutionOptions::from_environment()); !ok) {
      print_error(ok.error());
      status = 1;
      continue;
    }
    ++recovered;
  }
  fmt::print("recover: {} group(s) restored{}\n", recovered, status ? ", some failed (see above)" : "");
  return status;
}

}  // namespace

Runner add_recover_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("recover", "Finish or undo binding changes a crashed or killed run left");
  add_journal_option(cmd, *dir);
  return [cmd, dir] { return cmd->parsed() ? run_recover(*dir) : -1; };
}

}  // namespace vfiokit::cli

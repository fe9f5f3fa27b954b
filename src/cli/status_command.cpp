// `vfiokit status [--json]`: what vfiokit holds (groups it bound) and any
// operation a crashed run left unfinished, with each function's original
// and current binding.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/binding_target.hpp"
#include "cli/commands.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "host/driver_binding.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

struct StatusOptions {
  std::string journal_dir;
  bool json = false;
};

json binding_json(const host::Binding& b) {
  return {{"driver", b.driver.empty() ? json(nullptr) : json(b.driver)},
          {"driver_override", b.driver_override ? json(*b.driver_override) : json(nullptr)}};
}

int run_status(const StatusOptions& o) {
  const host::SysfsRoot root("/sys");
  const auto journal = host::BindingJournal::choose(o.journal_dir);
  auto entries = journal.list();
  if (!entries) {
    print_error(entries.error());
    return 1;
  }
  json groups = json::array();
  for (const auto& e : *entries) {
    json members = json::array();
    if (!o.json)
      fmt::print("IOMMU group {}: {} on {}{}\n", e.group, host::journal_state_name(e.state), e.driver,
                 e.state == host::JournalState::held ? "" : " (unfinished: run `vfiokit recover`)");
    for (const auto& m : e.members) {
      auto now = host::read_binding(root, m.bdf);
      members.push_back({{"bdf", m.bdf.str()}, {"bridge", m.bridge}, {"original", binding_json(m.original)},
                         {"current", now ? binding_json(*now) : json(now.error().describe())}});
      if (!o.json && m.bridge)
        fmt::print("  {}  bridge, left alone ({})\n", m.bdf.str(), now ? now->describe() : now.error().describe());
      else if (!o.json)
        fmt::print("  {}  {}; originally {}\n", m.bdf.str(), now ? "now " + now->describe() : now.error().describe(),
                   m.original.describe());
    }
    groups.push_back({{"group", e.group}, {"state", host::journal_state_name(e.state)}, {"driver", e.driver},
                      {"next_step", e.next_step}, {"steps", e.steps}, {"members", members}});
  }
  if (o.json)
    print_json(json{{"schema", "vfiokit.status/1"}, {"journal", journal.dir().string()}, {"groups", groups}});
  else if (entries->empty())
    fmt::print("vfiokit holds nothing (journal {})\n", journal.dir().string());
  return 0;
}

}  // namespace

Runner add_status_command(CLI::App& app) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand("status", "Show the groups vfiokit holds and unfinished operations");
  add_journal_option(cmd, o->journal_dir);
  cmd->add_flag("--json", o->json, "print JSON (schema vfiokit.status/1)");
  return [cmd, o] { return cmd->parsed() ? run_status(*o) : -1; };
}

}  // namespace vfiokit::cli

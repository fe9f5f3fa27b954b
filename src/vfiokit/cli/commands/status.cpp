// SPDX-License-Identifier: Apache-2.0
// `vfiokit status [--json]`: everything the journal holds: the groups
// vfiokit bound (each function's original and current binding) and every
// change a crashed run left unfinished, of any operation (bind, release,
// resize, mdev creation); and every binding persisted for boot (the udev
// rules of `bind --persist`). The result is computed once and rendered as
// text or JSON.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/binding_target.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/options/selection.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/binding/persistence.hpp"
#include "vfiokit/host/change/process_identity.hpp"
#include "vfiokit/host/change/recovery.hpp"
#include "vfiokit/host/facts/host_facts.hpp"
#include "vfiokit/host/known_changes.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

struct StatusOptions {
  ChangeRoot where;
  std::string rules_dir;
  SelectionOptions selection;
  bool json = false;
};

json binding_json(const host::Binding& b) {
  return {{"driver", b.driver.empty() ? json(nullptr) : json(b.driver)},
          {"driver_override", b.driver_override ? json(*b.driver_override) : json(nullptr)}};
}

// One journal entry as status shows it.
struct ChangeStatus {
  host::JournalEntry entry;
  std::string subject, describe, held_summary;
  std::optional<host::BindingRecord> binding;  // a group's members, for their bindings now
};

struct Status {
  std::filesystem::path journal;
  std::vector<ChangeStatus> changes;
  std::vector<Error> damaged;
  std::filesystem::path rules_dir;
  std::vector<host::PersistRule> persisted;
  bool selected = false;  // only what the selection options picked
};

Status read_status(const host::Journal& journal, const host::SysfsRoot& root) {
  Status s;
  s.journal = journal.dir();
  auto listing = journal.list();
  s.damaged = std::move(listing.damaged);
  const auto kinds = host::known_change_kinds();
  for (auto& e : listing.entries) {
    auto change = host::change_from_entry(root, journal, kinds, e);
    if (!change) {
      s.damaged.push_back(change.error());
      continue;
    }
    ChangeStatus c{e, (*change)->subject(), (*change)->describe(), (*change)->held_summary(), std::nullopt};
    if (e.key.kind == host::kBindingKind)
      if (auto r = host::binding_record_from_json(e.record, e.key.file_name())) c.binding = std::move(*r);
    s.changes.push_back(std::move(c));
  }
  return s;
}

// Whether the process that wrote an unfinished entry still runs (the same
// process: pid and start time), i.e. the change is in progress rather than
// interrupted.
bool writer_running(const host::JournalEntry& e) { return host::ProcessIdentity{e.pid, e.pid_start}.alive(); }

json members_json(const host::SysfsRoot& root, const host::BindingRecord& r) {
  json members = json::array();
  for (const auto& m : r.members) {
    auto now = host::read_binding(root, m.bdf);
    members.push_back({{"bdf", m.bdf.str()},
                       {"bridge", m.bridge},
                       {"original", binding_json(m.original)},
                       {"current", now ? binding_json(*now) : json(nullptr)},
                       {"current_error", now ? json(nullptr) : json(now.error().describe())}});
  }
  return members;
}

void print_text(const Status& s, const host::SysfsRoot& root) {
  for (const auto& c : s.changes) {
    const auto& e = c.entry;
    if (e.state == host::ChangeState::held) fmt::print("{}: {}\n", c.subject, c.held_summary);
    else if (writer_running(e))
      fmt::print("{}: {}, in progress at step {} of {} ({} by pid {}, running now)\n", c.subject, c.describe,
                 std::min(e.next_step + 1, e.steps.size()), e.steps.size(), host::change_state_name(e.state), e.pid);
    else
      fmt::print("{}: {}, interrupted at step {} of {} ({} by pid {}, which has ended): run `vfiokit recover`\n",
                 c.subject, c.describe, std::min(e.next_step + 1, e.steps.size()), e.steps.size(),
                 host::change_state_name(e.state), e.pid);
    if (!c.binding) continue;
    for (const auto& m : c.binding->members) {
      auto now = host::read_binding(root, m.bdf);
      if (m.bridge)
        fmt::print("  {}  bridge, left alone ({})\n", m.bdf.str(), now ? now->describe() : now.error().describe());
      else
        fmt::print("  {}  {}; originally {}\n", m.bdf.str(), now ? "now " + now->describe() : now.error().describe(),
                   m.original.describe());
    }
  }
  if (s.changes.empty() && s.damaged.empty())
    fmt::print("vfiokit holds nothing{} (journal {})\n", s.selected ? " of the selected functions" : "",
               s.journal.string());
  for (const auto& rule : s.persisted)
    fmt::print("persisted: {} bound to {} at boot by {} ({})\n", fmt::join(rule.endpoints, " "),
               rule.driver.empty() ? "?" : rule.driver, rule.program, rule.file.string());
  if (s.persisted.empty())
    fmt::print("nothing{} persisted for boot (udev rules in {})\n", s.selected ? " of the selected functions" : "",
               s.rules_dir.string());
}

json to_json(const Status& s, const host::SysfsRoot& root) {
  json groups = json::array(), changes = json::array(), damaged = json::array();
  for (const auto& c : s.changes) {
    const auto& e = c.entry;
    changes.push_back({{"kind", e.key.kind},
                       {"id", e.key.id},
                       {"subject", c.subject},
                       {"change", c.describe},
                       {"state", host::change_state_name(e.state)},
                       {"next_step", e.next_step},
                       {"steps", e.steps},
                       {"pid", e.pid},
                       {"running", e.state != host::ChangeState::held && writer_running(e)},
                       {"record", json::parse(e.record, nullptr, false)}});
    if (c.binding)
      groups.push_back({{"group", c.binding->group},
                        {"state", host::change_state_name(e.state)},
                        {"driver", c.binding->driver},
                        {"next_step", e.next_step},
                        {"steps", e.steps},
                        {"members", members_json(root, *c.binding)}});
  }
  for (const auto& d : s.damaged) damaged.push_back(d.describe());
  json persisted = json::array();
  for (const auto& rule : s.persisted)
    persisted.push_back({{"file", rule.file.string()},
                         {"endpoints", rule.endpoints},
                         {"driver", rule.driver.empty() ? json(nullptr) : json(rule.driver)},
                         {"program", rule.program}});
  return {{"schema", "vfiokit.status/2"},
          {"journal", s.journal.string()},
          {"groups", groups},
          {"changes", changes},
          {"damaged", damaged},
          {"rules_dir", s.rules_dir.string()},
          {"persisted", persisted}};
}

// The functions an entry is about: a group's members, or the function its
// subject starts with (a resize "0000:07:03.0 BAR 0", an mdev's parent
// "0000:00:02.0/mtty-2").
std::vector<pci::Bdf> functions_of(const ChangeStatus& c) {
  std::vector<pci::Bdf> out;
  if (c.binding)
    for (const auto& m : c.binding->members) out.push_back(m.bdf);
  if (auto bdf = pci::Bdf::parse(c.subject.substr(0, 12))) out.push_back(*bdf);
  return out;
}

// Keeps what names a selected function; a function gone from the host is
// judged by its address alone (-s), the only thing left of it.
void select(Status& s, const Selection& selection, const host::SysfsRoot& root) {
  s.selected = true;
  const host::HostView view = host::read_host(root, host::Detail::summary, host::Predict::nothing);
  std::optional<host::HostFacts> facts;
  if (selection.needs_group_facts()) facts = host::read_host_facts(root, view, std::nullopt);
  host::PciNames names;
  const auto picked = [&](const pci::Bdf& bdf) {
    if (const host::PciFunction* f = view.function(bdf)) return selection.selects(*f, facts ? &*facts : nullptr, names);
    host::PciFunction gone;
    gone.bdf = bdf;
    return selection.selects(gone, nullptr, names);
  };
  std::erase_if(s.changes, [&](const ChangeStatus& c) {
    const auto functions = functions_of(c);
    return std::none_of(functions.begin(), functions.end(), picked);
  });
  std::erase_if(s.persisted, [&](const host::PersistRule& rule) {
    return std::none_of(rule.endpoints.begin(), rule.endpoints.end(), [&](const std::string& name) {
      auto bdf = pci::Bdf::parse(name);
      return bdf && picked(*bdf);
    });
  });
}

int run_status(const StatusOptions& o) {
  auto root = open_change_root(o.where);
  if (!root) return print_error(root.error()), 1;
  Status s = read_status(host::Journal(journal_dir(o.where)), *root);
  s.rules_dir = host::choose_rules_dir(o.rules_dir);
  if (auto rules = host::list_persist_rules(s.rules_dir)) s.persisted = std::move(*rules);
  else s.damaged.push_back(rules.error());
  if (const Selection selection = Selection::make(o.selection); !selection.everything()) select(s, selection, *root);
  if (o.json) print_json(to_json(s, *root));
  else print_text(s, *root);
  for (const auto& d : s.damaged) print_error(d);
  return s.damaged.empty() ? 0 : 1;
}

}  // namespace

Runner add_status_command(CLI::App& app) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand("status", "Show what vfiokit holds and every unfinished change");
  add_change_root_options(cmd, o->where);
  cmd->add_option("--rules-dir", o->rules_dir,
                  fmt::format("where `bind --persist` rules live (also ${}; default {})", host::kUdevRulesDirEnv,
                              host::kDefaultUdevRulesDir));
  add_selection_options(cmd, o->selection);
  cmd->add_flag("--json", o->json, "print JSON (schema vfiokit.status/2)");
  return [cmd, o] { return cmd->parsed() ? run_status(*o) : -1; };
}

}  // namespace vfiokit::cli

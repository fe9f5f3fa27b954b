// SPDX-License-Identifier: Apache-2.0
// Passthrough profiles (host/profile/): `vfiokit up PROFILE` prepares every
// device a VM needs as one journaled change, `vfiokit down PROFILE` gives it
// all back, and `vfiokit profile create NAME BDF...` writes a starting
// profile from the host's devices.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/commands/profile_actions.hpp"
#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/options/plan_gate.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/render/output_file.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/binding/driver_binding.hpp"
#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/devices/in_use.hpp"
#include "vfiokit/host/profile/profile_change.hpp"
#include "vfiokit/host/profile/profile_from_host.hpp"
#include "vfiokit/host/profile/profile_holders.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::cli {

namespace {

struct UpOptions {
  std::string profile;
  bool dry_run = false;
  bool force = false;
  ChangeRoot where;
};

struct CreateOptions {
  std::string name;
  std::vector<std::string> bdfs;
  std::string output = "-";
  std::string sysfs_root;
};

void print_profile_plan(const host::ProfilePlan& plan, const host::ProfileChange& change) {
  fmt::print("plan: profile {}\n", plan.name);
  for (const auto& m : plan.devices)
    fmt::print("  device {}: {} ({})\n", m.device->name, m.bdf.str(), m.device->identity.describe());
  for (const auto& n : plan.notes) fmt::print("  already: {}\n", n);
  for (const auto& r : plan.resizes)
    for (const auto& n : r.notes) fmt::print("  note ({} BAR {}): {}\n", r.bdf.str(), r.bar, n);
  if (plan.nothing_to_do()) return;
  fmt::print("steps:\n");
  const auto steps = change.steps();
  for (size_t i = 0; i < steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, steps[i]);
}

// The profile's name from a file, or a name as given (`down` takes either).
Result<std::string> profile_name(const std::string& arg) {
  std::error_code ec;
  if (arg.ends_with(".toml") || std::filesystem::is_regular_file(arg, ec)) {
    auto p = host::read_profile(arg);
    if (!p) return fail(p.error());
    return p->name;
  }
  if (auto ok = host::check_profile_name(arg); !ok) return fail(ok.error());
  return arg;
}

// Every target the change touches, locked in one fixed order after the
// profile's own lock: `vfiokit bind`, `rebar` or another profile changing
// one of them waits, or is waited for, instead of racing this one.
Result<void> lock_parts(const host::Journal& journal, const host::ProfileChange& change,
                        const std::vector<unsigned>& groups, std::vector<host::Journal::Lock>& locks) {
  std::vector<host::ChangeKey> keys = change.part_keys();
  for (unsigned g : groups) keys.push_back(host::binding_key(g));
  std::sort(keys.begin(), keys.end(),
            [](const host::ChangeKey& a, const host::ChangeKey& b) { return a.file_name() < b.file_name(); });
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& key : keys) {
    auto locked = lock_for_planning(journal, key);
    if (!locked) return fail(locked.error());
    locks.push_back(std::move(*locked));
  }
  return {};
}

Result<host::ProfilePlan> plan_on(const host::SysfsRoot& root, const host::Profile& profile) {
  return host::plan_profile(
      root, host::read_host(root), profile, [&](const pci::Bdf& bdf) { return host::function_uses(root, bdf); },
      [&](const std::string& driver) { return host::driver_registered(root, driver); });
}

}  // namespace

int up_profile(const host::Profile& profile, const ChangeRoot& where, bool dry_run, bool force) {
  auto root = open_change_root(where);
  if (!root) return print_error(root.error()), kExitFailure;
  const host::Journal journal(journal_dir(where));
  // The profile's own lock first, then whether it is up: two `up`s of one
  // profile cannot both find it down.
  std::vector<host::Journal::Lock> locks;
  if (!dry_run) {
    auto locked = lock_for_planning(journal, host::profile_key(profile.name));
    if (!locked) return print_error(locked.error()), kExitFailure;
    locks.push_back(std::move(*locked));
  }
  auto held = host::read_profile_entry(journal, profile.name);
  if (!held) return print_error(held.error()), kExitFailure;
  if (*held) {
    if ((*held)->state == host::ChangeState::held) {
      fmt::print("profile {} is already up: nothing to do (`vfiokit down {}` gives it back)\n", profile.name,
                 profile.name);
      return kExitOk;
    }
    return print_error(Error(Errc::invalid_argument, "profile " + profile.name,
                             "was interrupted while it changed the host: run `vfiokit recover` first")),
           kExitFailure;
  }
  auto plan = plan_on(*root, profile);
  if (!plan) return print_error(plan.error()), kExitFailure;
  if (!dry_run) {
    // Planned again once every target is locked: what runs is what the
    // host is now, or the run stops.
    const host::ProfileChange planned(*root, *plan);
    if (auto ok = lock_parts(journal, planned, plan->groups, locks); !ok) return print_error(ok.error()), kExitFailure;
    plan = plan_on(*root, profile);
    if (!plan) return print_error(plan.error()), kExitFailure;
    if (host::ProfileChange(*root, *plan).steps() != planned.steps())
      return print_error(Error(Errc::invalid_argument, "profile " + profile.name,
                               "another program changed its devices while vfiokit planned: run `vfiokit up` again")),
             kExitFailure;
  }
  if (auto ok = host::check_groups_free(journal, *plan); !ok) return print_error(ok.error()), kExitFailure;
  host::ProfileChange change(*root, *plan);
  print_profile_plan(*plan, change);
  if (plan->nothing_to_do()) {
    fmt::print("profile {}: every device is already as the profile wants; nothing to do\n", plan->name);
    return kExitOk;
  }
  if (auto stop = stop_before_applying(plan->in_use, force || plan->force, dry_run, "taken",
                                       "set `force = true` in the profile (or pass --force)"))
    return *stop;
  if (auto ok = host::apply_profile(*root, *plan, journal, execution_options(locks.empty() ? nullptr : &locks[0])); !ok)
    return print_error(ok.error()), kExitFailure;
  fmt::print("up: profile {}: {} device(s) ready; `vfiokit down {}` gives everything back\n", plan->name,
             plan->devices.size(), plan->name);
  return kExitOk;
}

int down_profile(const std::string& name, const ChangeRoot& where, bool dry_run) {
  auto root = open_change_root(where);
  if (!root) return print_error(root.error()), kExitFailure;
  const host::Journal journal(journal_dir(where));
  std::vector<host::Journal::Lock> locks;
  if (!dry_run) {
    auto locked = lock_for_planning(journal, host::profile_key(name));
    if (!locked) return print_error(locked.error()), kExitFailure;
    locks.push_back(std::move(*locked));
  }
  auto entry = host::read_profile_entry(journal, name);
  if (!entry) return print_error(entry.error()), kExitFailure;
  if (!*entry) {
    fmt::print("profile {} is not up: nothing to do\n", name);
    return kExitOk;
  }
  if ((*entry)->state != host::ChangeState::held)
    return print_error(Error(Errc::invalid_argument, "profile " + name,
                             "was interrupted while it changed the host: run `vfiokit recover`")),
           kExitFailure;
  auto change = host::profile_change_kind().from_entry(*root, **entry);
  if (!change) return print_error(change.error()), kExitFailure;
  fmt::print("plan: give back profile {} ({})\n", name, (*change)->describe());
  for (const auto& line : (*change)->preview()) fmt::print("  {}\n", line);
  if (dry_run) {
    fmt::print("dry run: nothing was changed\n");
    return kExitOk;
  }
  const auto& parts = static_cast<const host::ProfileChange&>(**change);
  if (auto ok = lock_parts(journal, parts, {}, locks); !ok) return print_error(ok.error()), kExitFailure;
  if (auto ok = host::take_down_profile(*root, **entry, journal, execution_options(&locks[0])); !ok)
    return print_error(ok.error()), kExitFailure;
  fmt::print("down: profile {}: every device is back as it was before `up`\n", name);
  return kExitOk;
}

int up_functions(const std::string& name, const std::vector<pci::Bdf>& functions, const ChangeRoot& where) {
  auto root = open_change_root(where);
  if (!root) return print_error(root.error()), kExitFailure;
  auto profile = host::profile_for_functions(*root, host::read_host(*root), name, functions, host::Identify::by_bdf);
  if (!profile) return print_error(profile.error()), kExitFailure;
  return up_profile(*profile, where, false, false);
}

namespace {

int run_up(const UpOptions& o) {
  auto profile = host::read_profile(o.profile);
  if (!profile) return print_error(profile.error()), kExitFailure;
  return up_profile(*profile, o.where, o.dry_run, o.force);
}

int run_down(const UpOptions& o) {
  auto name = profile_name(o.profile);
  if (!name) return print_error(name.error()), kExitFailure;
  return down_profile(*name, o.where, o.dry_run);
}

int run_create(const CreateOptions& o) {
  if (auto ok = host::check_profile_name(o.name); !ok) return print_error(ok.error()), kExitUsage;
  auto source = host::SysfsSource::open(o.sysfs_root);
  if (!source) return print_error(source.error()), kExitFailure;
  const host::SysfsRoot root = source->root();
  const host::HostView view = host::read_host(root);
  std::vector<pci::Bdf> functions;
  for (const auto& text : o.bdfs) {
    auto bdf = pci::Bdf::parse(text);
    if (!bdf) return print_error(bdf.error()), kExitUsage;
    functions.push_back(*bdf);
  }
  auto p = host::profile_for_functions(root, view, o.name, functions, host::Identify::stable);
  if (!p) return print_error(p.error()), kExitFailure;
  if (!write_output_file(o.output, host::profile_to_toml(*p))) return kExitFailure;
  if (o.output != "-") fmt::print("wrote profile {} ({} device(s)) to {}\n", p->name, p->devices.size(), o.output);
  return kExitOk;
}

}  // namespace

Runner add_up_command(CLI::App& app) {
  auto o = std::make_shared<UpOptions>();
  CLI::App* cmd = app.add_subcommand("up", "Prepare every device of a passthrough profile, as one change");
  cmd->footer(
      "Reads the profile (vfiokit-profile(5)), finds its devices by their identities, and refuses, before\n"
      "any change, what cannot be met. Then the BAR resizes, the group binds and the settings run as the\n"
      "parts of one journaled change: a failing step undoes all of them. `vfiokit down NAME` gives\n"
      "everything back.\n");
  cmd->add_option("PROFILE", o->profile, "the profile file (TOML; see vfiokit-profile(5))")->required();
  cmd->add_flag("--dry-run", o->dry_run, "print the plan and change nothing");
  cmd->add_flag("--force", o->force, "take functions the host is using (as `force = true` in the profile)");
  add_change_root_options(cmd, o->where);
  return [cmd, o] { return cmd->parsed() ? run_up(*o) : -1; };
}

Runner add_down_command(CLI::App& app) {
  auto o = std::make_shared<UpOptions>();
  CLI::App* cmd = app.add_subcommand("down", "Give back everything `vfiokit up` did for a profile");
  cmd->footer(
      "Undoes, newest first, what `vfiokit up` recorded: each group back on its drivers and overrides,\n"
      "each BAR back to its size, each setting back to its value.\n");
  cmd->add_option("PROFILE", o->profile, "the profile file, or its name")->required();
  cmd->add_flag("--dry-run", o->dry_run, "say what would be given back and change nothing");
  add_change_root_options(cmd, o->where);
  return [cmd, o] { return cmd->parsed() ? run_down(*o) : -1; };
}

Runner add_profile_command(CLI::App& app) {
  auto o = std::make_shared<CreateOptions>();
  CLI::App* cmd = app.add_subcommand("profile", "Passthrough profiles: create one from this host's devices");
  cmd->require_subcommand(1);
  CLI::App* create = cmd->add_subcommand("create", "Write a starting profile for functions and their IOMMU groups");
  create->add_option("NAME", o->name, "the profile's name")->required();
  create->add_option("BDF", o->bdfs, "functions the VM gets (with every endpoint of their groups)")
      ->required()
      ->check(device_address_value());
  create->add_option("-o,--output", o->output, "where to write it (default -, standard output)");
  create->add_option("--sysfs-root", o->sysfs_root, "read another sysfs tree (a directory or a snapshot)");
  return [create, o] { return create->parsed() ? run_create(*o) : -1; };
}

}  // namespace vfiokit::cli

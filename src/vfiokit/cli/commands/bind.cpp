// SPDX-License-Identifier: Apache-2.0
// `vfiokit bind BDF|--group N [--driver vfio-pci] [--dry-run] [--force]`:
// binds every endpoint of an IOMMU group to vfio-pci (or another driver):
// plan, journal, apply, verify, and roll back on any failure.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/binding_target.hpp"
#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/options/plan_gate.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/binding/persistence.hpp"
#include "vfiokit/host/devices/in_use.hpp"
#include "vfiokit/host/profile/profile_holders.hpp"
#include "vfiokit/host/sysfs/source.hpp"
#include "vfiokit/version.hpp"

namespace vfiokit::cli {
namespace {

struct BindOptions {
  BindingTarget target;
  std::string driver = "vfio-pci";
  std::string sysfs_root;
  std::string simulate;
  bool example = false;
  bool dry_run = false;
  bool force = false;
  bool persist = false;
  std::string rules_dir;
};

void print_plan(const host::BindPlan& plan) {
  fmt::print("plan: bind IOMMU group {} to {}\n", plan.group, plan.driver);
  for (const auto& m : plan.members) {
    if (m.bridge) fmt::print("  {}  bridge, stays {}\n", m.bdf.str(), m.original.describe());
    else if (m.original.driver == plan.driver && m.original.driver_override == plan.driver)
      fmt::print("  {}  already {}\n", m.bdf.str(), m.original.describe());
    else fmt::print("  {}  {} -> {}\n", m.bdf.str(), m.original.describe(), plan.driver);
  }
  fmt::print("steps:\n");
  for (size_t i = 0; i < plan.steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, plan.steps[i].describe());
}

int run_bind(const BindOptions& o) {
  if (!o.target.named()) return usage_error("name a function (BDF) or --group N");
  if (!o.simulate.empty() && (!o.sysfs_root.empty() || o.example))
    return usage_error("--simulate acts on a simulated host; --sysfs-root and --example only plan");
  if ((!o.sysfs_root.empty() || o.example) && !o.dry_run) {
    print_error(Error(Errc::invalid_argument, o.example ? "--example" : "--sysfs-root",
                      "only plans (--dry-run) can look at another sysfs tree"));
    return 2;
  }
  // The rule runs the installed program at every boot: refused before
  // anything changes when that program is missing or others could replace it.
  Result<std::filesystem::path> program = std::filesystem::path();
  if (o.persist && !o.dry_run) program = host::trusted_program(kInstalledProgram);
  if (!program) return print_error(program.error()), 1;
  // A plan may be made from a snapshot; a change is made to the live host
  // only ($VFIOKIT_SYSFS_ROOT is ignored then).
  std::optional<host::SysfsSource> source;
  const ChangeRoot where{o.simulate, o.target.journal_dir};
  auto change_root = open_change_root(where);
  if (!change_root) return print_error(change_root.error()), 1;
  if (o.dry_run && o.simulate.empty()) {
    HostOptions host_source;
    host_source.sysfs_root = o.sysfs_root;
    host_source.example = o.example;
    auto opened = open_host_source(host_source);
    if (!opened) return 1;
    source.emplace(std::move(*opened));
  }
  const host::SysfsRoot root = source ? source->root() : *change_root;
  host::HostView view = host::read_host(root);
  auto group = resolve_group(o.target, view);
  if (!group) {
    print_error(group.error());
    return 1;
  }
  // A change is planned under its group's lock: the host is read again
  // once it is held, so the plan is what will be applied.
  const host::Journal journal(journal_dir(where));
  std::optional<host::Journal::Lock> lock;
  if (!o.dry_run) {
    auto locked = lock_for_planning(journal, host::binding_key(*group));
    if (!locked) return print_error(locked.error()), 1;
    lock.emplace(std::move(*locked));
    view = host::read_host(root);
  }
  // A group a profile bound stays the profile's: binding it again here
  // would leave two holders, each giving it back from under the other.
  auto holder = host::profile_holding_group(journal, *group);
  if (!holder) return print_error(holder.error()), 1;
  if (*holder)
    return print_error(Error(
               Errc::invalid_argument, fmt::format("IOMMU group {}", *group),
               fmt::format("is held by profile {}, which is up: `vfiokit down {}` gives it back", **holder, **holder))),
           1;
  host::UsageMap usage;
  for (const auto& g : view.groups)
    if (g.id == *group)
      for (const auto& bdf : g.devices) usage.emplace_back(bdf, host::function_uses(root, bdf));
  auto plan = host::plan_bind(view, *group, o.driver, host::driver_registered(root, o.driver), usage);
  if (!plan) {
    print_error(plan.error());
    return 1;
  }
  print_plan(*plan);
  for (const auto& r : plan->refusals) print_error_line(fmt::format("refusing: {}", r));
  if (!plan->refusals.empty()) return 1;
  if (auto stop = stop_before_applying(plan->in_use, o.force, o.dry_run, "taken")) return *stop;
  if (auto ok = host::apply_bind(root, *plan, journal, execution_options(lock ? &*lock : nullptr)); !ok) {
    print_error(ok.error());
    return 1;
  }
  fmt::print("bound: IOMMU group {} is on {}", plan->group, plan->driver);
  if (plan->driver == "vfio-pci") fmt::print(" (/dev/vfio/{} or the devices' vfio cdevs)", plan->group);
  fmt::print("; `vfiokit release --group {}` gives it back\n", plan->group);
  if (o.persist) {
    std::vector<pci::Bdf> endpoints;
    for (const auto& m : plan->members)
      if (!m.bridge) endpoints.push_back(m.bdf);
    auto file = host::write_persist_rule(host::choose_rules_dir(o.rules_dir), endpoints, plan->driver, *program);
    if (!file) {
      print_error(file.error());
      return 1;
    }
    fmt::print("persisted: {} binds the group again at boot\n", file->string());
  }
  return 0;
}

}  // namespace

Runner add_bind_command(CLI::App& app) {
  auto o = std::make_shared<BindOptions>();
  CLI::App* cmd = app.add_subcommand("bind", "Bind a function's whole IOMMU group to vfio-pci, with rollback");
  cmd->footer(
      "The IOMMU group is the unit: every endpoint in it goes to the driver together, and bridges stay on\n"
      "theirs. The plan is printed first (--dry-run stops there); then each function gets a\n"
      "driver_override, is unbound and probed, and the group is verified usable. A failing step rolls the\n"
      "group back. The journal (/run/vfiokit) holds the group until `vfiokit release` gives back the\n"
      "drivers and overrides it had.\n"
      "\n"
      "  vfiokit bind 0000:03:00.0 --dry-run\n"
      "  vfiokit bind 0000:03:00.0\n"
      "  vfiokit release 0000:03:00.0\n");
  add_binding_target(cmd, o->target);
  cmd->add_option("--driver", o->driver, "the driver to bind to (default vfio-pci)");
  cmd->add_flag("--dry-run", o->dry_run, "print the plan and change nothing");
  cmd->add_flag("--force", o->force, "take functions the host is using (mounted disks, interfaces with addresses)");
  cmd->add_option("--sysfs-root", o->sysfs_root, "plan against another sysfs tree (with --dry-run only)");
  add_simulate_option(cmd, o->simulate);
  cmd->add_flag("--example", o->example, "plan against the built-in example host (with --dry-run only)");
  cmd->add_flag("--persist", o->persist, "bind again at every boot (installs a udev rule)");
  cmd->add_option("--rules-dir", o->rules_dir,
                  fmt::format("where --persist installs its rule (also ${}; default {})", host::kUdevRulesDirEnv,
                              host::kDefaultUdevRulesDir));
  return [cmd, o] { return cmd->parsed() ? run_bind(*o) : -1; };
}

}  // namespace vfiokit::cli

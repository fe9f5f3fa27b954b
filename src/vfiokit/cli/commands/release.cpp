// SPDX-License-Identifier: Apache-2.0
// `vfiokit release BDF|--group N [--dry-run]`: gives a group vfiokit bound
// back to exactly the drivers and driver_override values it had, as the
// journal recorded them (including "no driver"), and verifies.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/binding_target.hpp"
#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/binding/persistence.hpp"
#include "vfiokit/host/profile/profile_holders.hpp"

namespace vfiokit::cli {
namespace {

struct ReleaseOptions {
  BindingTarget target;
  std::string simulate;
  bool dry_run = false;
  bool persist = false;
  std::string rules_dir;
};

// --persist: the boot-time rule goes too.
int remove_rules(const ReleaseOptions& o, const std::vector<pci::Bdf>& endpoints) {
  auto removed = host::remove_persist_rules(host::choose_rules_dir(o.rules_dir), endpoints);
  if (!removed) {
    print_error(removed.error());
    return 1;
  }
  for (const auto& f : *removed) fmt::print("removed {}: no binding at boot any more\n", f.string());
  if (removed->empty()) fmt::print("no vfiokit udev rule named these functions\n");
  return 0;
}

int run_release(const ReleaseOptions& o) {
  if (!o.target.named()) return usage_error("name a function (BDF) or --group N");
  const ChangeRoot where{o.simulate, o.target.journal_dir};
  auto opened = open_change_root(where);
  if (!opened) return print_error(opened.error()), 1;
  const host::SysfsRoot root = *opened;
  const host::HostView view = host::read_host(root);
  auto group = resolve_group(o.target, view);
  if (!group) {
    print_error(group.error());
    return 1;
  }
  const host::Journal journal(journal_dir(where));
  auto entry = host::read_held_group(journal, *group);
  if (!entry) {
    print_error(entry.error());
    return 1;
  }
  if (!*entry) {
    // A group a profile bound is the profile's to give back, with the
    // rest of what its `up` did.
    auto holder = host::profile_holding_group(journal, *group);
    if (!holder) return print_error(holder.error()), 1;
    if (*holder)
      return print_error(
                 Error(Errc::invalid_argument, fmt::format("IOMMU group {}", *group),
                       fmt::format("is held by profile {}: `vfiokit down {}` gives it back", **holder, **holder))),
             1;
    if (o.persist && !o.dry_run) {  // nothing bound now, but the boot rule may exist
      std::vector<pci::Bdf> members;
      for (const auto& g : view.groups)
        if (g.id == *group) members = g.devices;
      return remove_rules(o, members);
    }
    print_error(Error(Errc::not_found, fmt::format("IOMMU group {}", *group),
                      fmt::format("is not held by vfiokit (no entry in {})", journal.dir().string())));
    return 1;
  }
  fmt::print("plan: give IOMMU group {} back\n", *group);
  for (const auto& line : host::restore_preview(root, (*entry)->record)) fmt::print("  {}\n", line);
  if (o.dry_run) {
    fmt::print("dry run: nothing was changed\n");
    return 0;
  }
  if (auto ok = host::release_group(root, **entry, journal, execution_options()); !ok) {
    print_error(ok.error());
    return 1;
  }
  fmt::print("released: IOMMU group {} is back on its original drivers\n", *group);
  if (o.persist) {
    std::vector<pci::Bdf> endpoints;
    for (const auto& m : (*entry)->record.members)
      if (!m.bridge) endpoints.push_back(m.bdf);
    return remove_rules(o, endpoints);
  }
  return 0;
}

}  // namespace

Runner add_release_command(CLI::App& app) {
  auto o = std::make_shared<ReleaseOptions>();
  CLI::App* cmd = app.add_subcommand("release", "Give a group vfiokit bound back to its original drivers");
  cmd->footer(
      "Reads what `vfiokit bind` recorded in the journal and puts every function of the group back on the\n"
      "driver and driver_override it had (no driver included), then verifies. A group a profile bound is\n"
      "given back by `vfiokit down`. With --persist the boot-time udev rule goes too.\n");
  add_binding_target(cmd, o->target);
  cmd->add_flag("--dry-run", o->dry_run, "print what would be restored and change nothing");
  add_simulate_option(cmd, o->simulate);
  cmd->add_flag("--persist", o->persist, "also remove the boot-time rule `bind --persist` installed");
  cmd->add_option(
      "--rules-dir", o->rules_dir,
      fmt::format("where that rule lives (also ${}; default {})", host::kUdevRulesDirEnv, host::kDefaultUdevRulesDir));
  return [cmd, o] { return cmd->parsed() ? run_release(*o) : -1; };
}

}  // namespace vfiokit::cli

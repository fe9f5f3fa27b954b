// SPDX-License-Identifier: Apache-2.0
// `vfiokit mdev list [--json]`, `mdev create TYPE [--parent P] [--uuid U]
// [--dry-run]`, `mdev remove UUID`: mediated devices through the mdev core's
// sysfs. A creation is journaled (host/mdev_changes), so `vfiokit recover`
// removes an mdev whose creation a crash or kill interrupted.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/binding_target.hpp"
#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/mdev/create_operation.hpp"

namespace vfiokit::cli {
namespace {

using nlohmann::ordered_json;

struct MdevOptions {
  std::string sysfs_root;
  std::string journal_dir;
  bool json = false;
  std::string type;
  std::string parent;
  std::string uuid;
  bool dry_run = false;
};

int run_list(const MdevOptions& o) {
  const auto source = open_sysfs_root(o.sysfs_root);
  if (!source) return kExitFailure;
  const host::SysfsRoot& root = source->root();
  auto types = host::list_mdev_types(root);
  if (!types) return print_error(types.error()), 1;
  auto mdevs = host::list_mdevs(root);
  if (!mdevs) return print_error(mdevs.error()), 1;
  if (o.json) {
    ordered_json j{{"schema", "vfiokit.mdev/1"}, {"types", ordered_json::array()}, {"devices", ordered_json::array()}};
    for (const auto& t : *types) {
      ordered_json devices = ordered_json::array();
      for (const auto& u : t.devices) devices.push_back(u.str());
      j["types"].push_back({{"parent", t.parent},
                            {"type", t.id},
                            {"name", t.name},
                            {"description", t.description},
                            {"device_api", t.device_api},
                            {"available_instances", t.available ? ordered_json(*t.available) : ordered_json(nullptr)},
                            {"devices", devices}});
    }
    for (const auto& d : *mdevs)
      j["devices"].push_back({{"uuid", d.uuid.str()},
                              {"parent", d.parent},
                              {"type", d.type},
                              {"driver", d.driver ? ordered_json(*d.driver) : ordered_json(nullptr)},
                              {"iommu_group", d.iommu_group ? ordered_json(*d.iommu_group) : ordered_json(nullptr)}});
    print_json(j);
    return 0;
  }
  if (types->empty()) {
    // The tree the user named, not where an archive was unpacked.
    fmt::print("no mdev parent devices (no class/mdev_bus in {}; load a vendor mdev driver)\n",
               o.sysfs_root.empty() ? root.path().string() : o.sysfs_root);
    return 0;
  }
  fmt::print("{:<12} {:<10} {:<10} {:>9}  {}\n", "PARENT", "TYPE", "API", "AVAILABLE", "NAME / DESCRIPTION");
  for (const auto& t : *types) {
    std::string what = t.name;
    if (!t.description.empty()) what += (what.empty() ? "" : " / ") + t.description;
    fmt::print("{:<12} {:<10} {:<10} {:>9}  {}\n", t.parent, t.id, t.device_api,
               t.available ? std::to_string(*t.available) : "?", what);
  }
  fmt::print("\n{} mdev(s)\n", mdevs->size());
  for (const auto& d : *mdevs)
    fmt::print("  {}  {}/{}  driver {}  IOMMU group {}\n", d.uuid.str(), d.parent, d.type, d.driver.value_or("none"),
               d.iommu_group ? std::to_string(*d.iommu_group) : "none");
  return 0;
}

int run_create(const MdevOptions& o) {
  const host::SysfsRoot root("/sys");
  std::optional<Uuid> uuid;
  if (!o.uuid.empty()) {
    auto u = Uuid::parse(o.uuid);
    if (!u) return print_error(u.error()), 1;
    uuid = *u;
  }
  auto plan = host::plan_mdev_create(root, o.parent, o.type, uuid);
  if (!plan) return print_error(plan.error()), 1;
  fmt::print("create an mdev of type {} ({}) on {}:\n", plan->type.id, plan->type.name, plan->type.parent);
  for (size_t i = 0; i < plan->steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, plan->steps[i]);
  if (o.dry_run) return fmt::print("dry run: nothing changed\n"), 0;
  const auto journal = host::Journal::choose(o.journal_dir);
  auto made = host::create_mdev(root, *plan, journal, execution_options());
  if (!made) return print_error(made.error()), 1;
  fmt::print("{}\n", made->uuid.str());
  return 0;
}

int run_remove(const MdevOptions& o) {
  auto u = Uuid::parse(o.uuid);
  if (!u) return print_error(u.error()), 1;
  if (auto ok = host::remove_mdev(host::SysfsRoot("/sys"), *u); !ok) return print_error(ok.error()), 1;
  fmt::print("removed {}\n", u->str());
  return 0;
}

}  // namespace

Runner add_mdev_command(CLI::App& app) {
  auto o = std::make_shared<MdevOptions>();
  CLI::App* cmd = app.add_subcommand("mdev", "Mediated devices: list types and devices, create, remove");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "mdev types (name, description, instances, device API) and mdevs");
  add_sysfs_root_option(list, o->sysfs_root);
  list->add_flag("--json", o->json, "print JSON (schema vfiokit.mdev/1)");
  CLI::App* create = cmd->add_subcommand("create", "create an mdev of TYPE (journaled; `recover` undoes a killed run)");
  create->add_option("TYPE", o->type, "the type directory name, e.g. mtty-2")->required();
  create->add_option("--parent", o->parent, "the parent device, when several offer TYPE");
  create->add_option("--uuid", o->uuid, "the new mdev's UUID (default: a random one)")->check(uuid_value());
  create->add_flag("--dry-run", o->dry_run, "print the plan and change nothing");
  add_journal_option(create, o->journal_dir);
  CLI::App* remove = cmd->add_subcommand("remove", "remove the mdev UUID");
  remove->add_option("UUID", o->uuid, "the mdev")->required()->check(uuid_value());
  return [cmd, list, create, remove, o] {
    if (!cmd->parsed()) return -1;
    if (list->parsed()) return run_list(*o);
    if (create->parsed()) return run_create(*o);
    if (remove->parsed()) return run_remove(*o);
    return 2;
  };
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/commands/rebar_resize.hpp"

#include <fmt/format.h>

#include "vfiokit/cli/options/change_lock.hpp"
#include "vfiokit/cli/options/plan_gate.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/devices/in_use.hpp"
#include "vfiokit/host/rebar/resize_operation.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::cli {

namespace {

void print_plan(const host::ResizePlan& plan) {
  fmt::print("plan: {} BAR {}: {} -> {}{}\n", plan.bdf.str(), plan.bar, plan.from.str(), plan.to.str(),
             plan.rehearse ? " (rehearsal: the size is not written)" : "");
  if (plan.window)
    fmt::print("  window 0x{:x}-0x{:x} of {}: {} other resource(s) in it\n", plan.window->window.start,
               plan.window->window.end, plan.window->bridge.str(), plan.window->neighbours.size());
  else fmt::print("  no upstream bridge window (a root-bus function): nothing else is removed\n");
  if (!plan.released.empty() && !plan.rehearse) {
    std::string bridges;
    for (const auto& b : plan.released) bridges += (bridges.empty() ? "" : ", ") + b.str();
    fmt::print("  windows the kernel releases and re-sizes: {}; placed in {}\n", bridges,
               plan.stop ? fmt::format("{}'s window", plan.stop->str()) : std::string("the host bridge aperture"));
  }
  for (const auto& n : plan.notes) fmt::print("  note: {}\n", n);
  for (const auto& a : plan.functions)
    fmt::print("  {}  {}{}{}\n", a.bdf.str(), a.removed ? "removed and rescanned, " : "target, ", a.original.describe(),
               a.group ? fmt::format(", IOMMU group {}", *a.group) : "");
  fmt::print("steps:\n");
  for (size_t i = 0; i < plan.steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, plan.steps[i].text);
}

}  // namespace

void add_resize_options(CLI::App* cmd, ResizeOptions& o) {
  cmd->add_option("--bar", o.bar, "resize this BAR (0..5)")->check(bar_index_value());
  cmd->add_option("--size", o.size, "the new size: 256M, 16G, ... or max");
  cmd->add_flag("--dry-run", o.dry_run, "print the resize plan and change nothing");
  cmd->add_flag("--rehearse", o.rehearse,
                "run every step but the size write: the functions sharing the window are removed, rescanned and "
                "given their drivers back");
  cmd->add_flag("--force", o.force, "remove functions the host is using (mounted disks, interfaces with addresses)");
  add_change_root_options(cmd, o.where);
}

int run_resize(const std::string& bdf_text, const HostOptions& host_options, const ResizeOptions& o) {
  if (host_options.json || host_options.example || host_options.strict)
    return print_error(Error(Errc::invalid_argument, "rebar",
                             "--json, --example and --strict belong to the read-only view, not to a resize")),
           2;
  const std::string& sysfs_root = host_options.sysfs_root;
  if (!o.bar) return print_error(Error(Errc::invalid_argument, "rebar", "a resize needs --bar N")), 2;
  if (o.size.empty() && !o.rehearse)
    return print_error(Error(Errc::invalid_argument, "rebar", "a resize needs --size SIZE (or max)")), 2;
  if (!sysfs_root.empty() && !o.dry_run)
    return print_error(Error(Errc::invalid_argument, "--sysfs-root",
                             "only plans (--dry-run) can look at another sysfs "
                             "tree; --simulate acts on a simulated one")),
           2;
  auto bdf = pci::Bdf::parse(bdf_text);
  if (!bdf) return print_error(bdf.error()), 1;
  host::ResizeRequest request{*bdf, *o.bar, std::nullopt, false, o.rehearse};
  if (!o.size.empty()) {
    auto parsed = host::parse_resize_size(request, o.size);
    if (!parsed) return print_error(parsed.error()), kExitUsage;
    request = *parsed;
  }
  std::optional<host::SysfsSource> source;
  std::optional<host::SysfsRoot> root;
  if (!sysfs_root.empty()) {
    auto opened = host::SysfsSource::open(sysfs_root);
    if (!opened) return print_error(opened.error()), 1;
    source.emplace(std::move(*opened));
    root = source->root();
  } else {
    auto opened = open_change_root(o.where);
    if (!opened) return print_error(opened.error()), 1;
    root = *opened;
  }
  // A resize is planned under its function's lock (see change_lock.hpp).
  const host::Journal journal(journal_dir(o.where));
  std::optional<host::Journal::Lock> lock;
  if (!o.dry_run) {
    auto locked = lock_for_planning(journal, host::resize_key(*bdf));
    if (!locked) return print_error(locked.error()), 1;
    lock.emplace(std::move(*locked));
  }
  const host::HostView view = host::read_host(*root);
  if (!view.function(*bdf)) return print_error(Error(Errc::not_found, bdf->str(), "no such PCI function")), 1;
  auto plan = host::plan_resize(*root, view, request, [&](const pci::Bdf& f) { return host::function_uses(*root, f); });
  if (!plan) return print_error(plan.error()), 1;
  if (plan->nothing_to_do()) {
    fmt::print("{} BAR {} is already {}: nothing to do\n", bdf->str(), plan->bar, plan->to.str());
    return 0;
  }
  print_plan(*plan);
  if (auto stop = stop_before_applying(plan->in_use, o.force, o.dry_run, "removed")) return *stop;
  if (auto ok = host::apply_resize(*root, *plan, journal, execution_options(lock ? &*lock : nullptr)); !ok) {
    print_error(ok.error());
    return 1;
  }
  if (plan->rehearse)
    fmt::print("rehearsed: {} BAR {} stays {}; every function sharing its window came back as it was\n", bdf->str(),
               plan->bar, plan->from.str());
  else
    fmt::print("resized: {} BAR {} is {}; every function is back as it was\n", bdf->str(), plan->bar, plan->to.str());
  return 0;
}

}  // namespace vfiokit::cli

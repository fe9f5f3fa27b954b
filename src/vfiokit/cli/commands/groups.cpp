// SPDX-License-Identifier: Apache-2.0
// `vfiokit groups [--json]`: the kernel's IOMMU groups with their members,
// whether VFIO can use them, and why each is shaped as it is; vfiokit's
// prediction is checked against the kernel's and every difference reported.
// Without an IOMMU, the prediction is shown under a plain statement.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/options/selection.hpp"
#include "vfiokit/cli/render/colour.hpp"
#include "vfiokit/cli/render/function_json.hpp"
#include "vfiokit/cli/render/group_graph.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/names_loading.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/render/output_file.hpp"
#include "vfiokit/cli/render/pci_tree.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::cli {
namespace {

struct GroupsOptions {
  HostOptions host;
  SelectionOptions selection;
  std::string dot_file;
  std::string svg_file;
  bool tree = false;
};

// A group's member: its address, its function (null when sysfs does not
// hold it) and why vfiokit predicts it in its group (null when it has no
// prediction).
struct Member {
  pci::Bdf bdf;
  const host::PciFunction* function = nullptr;
  const std::string* reason = nullptr;
};

struct GroupRow {
  unsigned id = 0;
  std::span<const Member> members;
  const std::optional<std::string>* type = nullptr;  // the kernel's group's; null for a predicted one
  bool viable = true;

  const std::optional<std::string>& type_or_none() const {
    static const std::optional<std::string> kNone;
    return type ? *type : kNone;
  }
};

// The rows, and the members they are views of: one allocation each, where
// a row with vectors of its own (members, reasons, blockers) was some
// 250 bytes of heap per group, memory a host of thousands of groups
// touches once (page by page, which on the benchmark machine's VM traps to
// the hypervisor each time).
struct GroupTable {
  std::vector<Member> members;
  std::vector<GroupRow> rows;
};

// Distinct reasons in member order; a group has few.
std::vector<std::string_view> reasons_of(const GroupRow& row) {
  std::vector<std::string_view> out;
  for (const auto& m : row.members)
    if (m.reason && std::find(out.begin(), out.end(), *m.reason) == out.end()) out.push_back(*m.reason);
  return out;
}

// The members that keep the group from VFIO, each with its driver.
std::vector<std::string> blockers_of(const GroupRow& row) {
  std::vector<std::string> out;
  for (const auto& m : row.members)
    if (m.function && host::HostView::keeps_group_from_vfio(*m.function))
      out.push_back(fmt::format("{} is bound to {}", m.bdf.str(), m.function->driver));
  return out;
}

// The groups to show, by number: the kernel's when there are any, else the
// prediction (a host of thousands of VFs has thousands of groups).
GroupTable groups_of(const host::HostView& view) {
  GroupTable t;
  struct Placed {
    unsigned group;
    const host::IommuGroup* kernel;  // the kernel's group, when it formed them
    Member member;
  };
  std::vector<Placed> placed;
  const auto reason_of = [&](const pci::Bdf& bdf) -> const std::string* {
    auto it = view.predicted.reason.find(bdf);
    return it != view.predicted.reason.end() ? &it->second : nullptr;
  };
  if (view.has_iommu_groups()) {
    for (const auto& g : view.groups)
      for (const auto& bdf : g.devices) placed.push_back({g.id, &g, {bdf, view.function(bdf), reason_of(bdf)}});
  } else {
    // The prediction's maps and the functions are all in address order, so
    // one pass pairs each member with its function and its reason.
    placed.reserve(view.predicted.group_of.size());
    auto f = view.functions.begin();
    auto r = view.predicted.reason.begin();
    for (const auto& [bdf, id] : view.predicted.group_of) {
      while (f != view.functions.end() && f->bdf < bdf) ++f;
      while (r != view.predicted.reason.end() && r->first < bdf) ++r;
      placed.push_back({id,
                        nullptr,
                        {bdf, f != view.functions.end() && f->bdf == bdf ? &*f : nullptr,
                         r != view.predicted.reason.end() && r->first == bdf ? &r->second : nullptr}});
    }
  }
  // By group number, each group's members in the order given. A row ends
  // where the number or the kernel's group does: a crafted snapshot may
  // name one number twice ("1" and "01"), and each stays a row of its own.
  std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.group < b.group; });
  t.members.reserve(placed.size());
  for (const auto& p : placed) t.members.push_back(p.member);
  const auto same_row = [](const Placed& a, const Placed& b) { return a.group == b.group && a.kernel == b.kernel; };
  for (size_t i = 0; i < placed.size();) {
    const size_t first = i;
    for (; i < placed.size() && same_row(placed[i], placed[first]); ++i) {}
    GroupRow& row = t.rows.emplace_back();
    row.id = placed[first].group;
    row.members = std::span<const Member>(t.members).subspan(first, i - first);
    if (const host::IommuGroup* g = placed[first].kernel) row.type = &g->type;
    row.viable = std::none_of(row.members.begin(), row.members.end(), [](const Member& m) {
      return m.function && host::HostView::keeps_group_from_vfio(*m.function);
    });
  }
  return t;
}

// Functions whose predicted group differs from the kernel's.
std::vector<std::string> mismatches(const host::HostView& view) {
  std::vector<std::string> out;
  if (!view.has_iommu_groups()) return out;
  for (const auto& f : view.functions) {
    auto it = view.predicted.group_of.find(f.bdf);
    if (!f.iommu_group || it == view.predicted.group_of.end() || it->second == *f.iommu_group) continue;
    out.push_back(
        fmt::format("{}: the kernel put it in group {}, vfiokit predicted group {} ({}); a kernel quirk "
                    "may explain the difference",
                    f.bdf.str(), *f.iommu_group, it->second, view.predicted.reason.at(f.bdf)));
  }
  return out;
}

void write_row(JsonWriter& w, const GroupRow& row, const host::HostFacts& facts, host::PciNames& names) {
  w.begin_object();
  w.key("id").value(row.id).key("type").value(row.type_or_none()).key("viable").value(row.viable);
  w.key("blockers").value(blockers_of(row));
  auto it = facts.groups.find(row.id);
  w.key("bindable").value(it != facts.groups.end() && it->second.bindable);
  w.key("refusals").value(it != facts.groups.end() ? it->second.refusals : std::vector<std::string>{});
  // Each member as list describes it; a member the kernel names but sysfs
  // does not hold is only its address.
  w.key("devices").begin_array();
  for (const auto& m : row.members) {
    if (m.function) write_function_json(w, *m.function, facts.of(m.bdf), names);
    else w.begin_object().key("bdf").value(m.bdf.str()).end_object();
  }
  w.end_array();
  w.key("reasons").value(reasons_of(row));
  w.end_object();
}

int run_groups(const GroupsOptions& options) {
  const HostOptions& o = options.host;
  auto source = open_host_source(o);
  if (!source) return 1;
  NamesLoading loading;  // while sysfs is read
  const host::HostView view = host::read_host(source->root(), host::Detail::summary);
  auto aliases = source->read_modules_alias();
  if (!aliases) print_error(aliases.error());
  // Only JSON and --viable/--bindable show the groups' bind verdicts.
  const Selection selection = Selection::make(options.selection);
  const host::HostFacts facts = host::read_host_facts(
      source->root(), view, aliases ? *aliases : std::nullopt,
      o.json || selection.needs_group_facts() ? host::GroupVerdicts::read : host::GroupVerdicts::skip);
  host::PciNames& names = loading.get();
  // A group is shown when the selection picks any of its members.
  GroupTable table = groups_of(view);
  std::vector<GroupRow>& rows = table.rows;
  if (!selection.everything())
    std::erase_if(rows, [&](const GroupRow& row) {
      return std::none_of(row.members.begin(), row.members.end(),
                          [&](const Member& m) { return m.function && selection.selects(*m.function, &facts, names); });
    });
  const auto differ = mismatches(view);
  // A picture sent to standard output is the whole output.
  const bool picture_to_stdout = options.dot_file == "-" || options.svg_file == "-";
  if (o.json && !picture_to_stdout) {
    JsonWriter w;
    w.begin_object().key("schema").value("vfiokit.groups/2").key("iommu").value(view.has_iommu_groups());
    w.key("source").value(view.has_iommu_groups() ? "kernel" : "predicted");
    w.key("groups").begin_array();
    for (const auto& row : rows) {
      write_row(w, row, facts, names);
      w.drain(stdout);
    }
    w.end_array();
    w.key("prediction_mismatches").value(differ).end_object();
    print_json(w);
  } else if (!picture_to_stdout) {
    if (!view.has_iommu_groups())
      fmt::print("{}\nThe groups below are vfiokit's prediction of what the kernel would form.\n\n", kNoIommuAdvice);
    else if (differ.empty())
      fmt::print("{} IOMMU groups; vfiokit's prediction agrees with the kernel for every function.\n\n", rows.size());
    if (options.tree) {
      print_pci_tree(view, names);
      fmt::print("\n");
    }
    for (const auto& row : rows) {
      const auto& type = row.type_or_none();
      fmt::print("group {}{}  VFIO: ", row.id, type ? " [" + *type + "]" : "");
      print_coloured(stdout, row.viable ? Colour::good : Colour::bad, row.viable ? "viable" : "not viable");
      fmt::print("{}\n", row.viable ? "" : fmt::format(" ({})", fmt::join(blockers_of(row), "; ")));
      for (const auto& [bdf, f, reason] : row.members) {
        const std::string id =
            f && f->vendor_id && f->device_id ? fmt::format("{:04x}:{:04x}", *f->vendor_id, *f->device_id) : "?";
        const std::string name = f && f->vendor_id && f->device_id ? names.device(*f->vendor_id, *f->device_id) : "";
        std::string line =
            fmt::format("  {}  {}  {:<12} {}{}", bdf.str(), id, f && !f->driver.empty() ? f->driver : "-", name,
                        f && f->is_bridge() ? " (bridge, ignored by VFIO)" : "");
        while (line.back() == ' ') line.pop_back();
        fmt::print("{}\n", line);
      }
      for (const auto& why : reasons_of(row)) fmt::print("  why: {}\n", why);
    }
  }
  for (const auto& line : differ) print_error_line("prediction differs: " + line);
  if (!options.dot_file.empty() && !write_output_file(options.dot_file, group_graph_dot(view))) return 1;
  if (!options.svg_file.empty() && !write_svg_file(options.svg_file, group_graph_dot(view))) return 1;
  return report_host_problems(view, o.strict);
}

}  // namespace

Runner add_groups_command(CLI::App& app) {
  auto options = std::make_shared<GroupsOptions>();
  CLI::App* cmd = app.add_subcommand("groups", "IOMMU groups: members, VFIO viability and why each is shaped so");
  cmd->footer(
      "Each group with its members and their drivers, whether VFIO can take it (viable: every endpoint\n"
      "unbound or on vfio-pci), and why it is shaped so: vfiokit predicts the kernel's grouping (ACS on\n"
      "the path to the root, multifunction devices, quirks) and checks the prediction against the\n"
      "kernel's own groups.\n");
  add_host_options(cmd, options->host);
  add_selection_options(cmd, options->selection);
  cmd->add_flag("--tree", options->tree, "draw the PCI tree in text with each function's group, like lspci -t");
  cmd->add_option("--dot", options->dot_file,
                  "also write the PCI tree with groups coloured as Graphviz DOT (- for standard output)");
  cmd->add_option("--svg", options->svg_file,
                  "also draw the PCI tree with groups coloured by viability as SVG (Graphviz; - for standard output)");
  return [cmd, options] { return cmd->parsed() ? run_groups(*options) : -1; };
}

}  // namespace vfiokit::cli

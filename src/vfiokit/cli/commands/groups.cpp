// SPDX-License-Identifier: Apache-2.0
// `vfiokit groups [--json]`: the kernel's IOMMU groups with their members,
// whether VFIO can use them, and why each is shaped as it is; vfiokit's
// prediction is checked against the kernel's and every difference reported.
// Without an IOMMU, the prediction is shown under a plain statement.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string_view>
#include <utility>

#include "vfiokit/base/populate.hpp"
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

struct GroupRow {
  unsigned id = 0;
  std::vector<pci::Bdf> devices;
  std::vector<const host::PciFunction*> functions;  // each device's; null when sysfs does not hold it
  std::optional<std::string> type;
  bool viable = false;
  std::vector<std::string_view> reasons;  // distinct, in member order; the view's prediction holds them
  std::vector<std::string> blockers;      // members bound to host drivers
};

void add_member(GroupRow& row, const pci::Bdf& bdf, const host::PciFunction* f, const std::string* reason) {
  row.devices.push_back(bdf);
  row.functions.push_back(f);
  // Distinct reasons in member order; a group has few.
  if (reason && std::find(row.reasons.begin(), row.reasons.end(), *reason) == row.reasons.end())
    row.reasons.push_back(*reason);
  if (f && host::HostView::keeps_group_from_vfio(*f))
    row.blockers.push_back(fmt::format("{} is bound to {}", bdf.str(), f->driver));
  row.viable = row.blockers.empty();
}

// The groups to show, by number: the kernel's when there are any, else the
// prediction (a host of thousands of VFs has thousands of groups).
std::vector<GroupRow> rows_of(const host::HostView& view) {
  std::vector<GroupRow> rows;
  if (view.has_iommu_groups()) {
    rows.reserve(view.groups.size());
    for (const auto& g : view.groups) {
      GroupRow& row = rows.emplace_back(GroupRow{g.id, {}, {}, g.type, true, {}, {}});
      for (const auto& bdf : g.devices) {
        auto it = view.predicted.reason.find(bdf);
        add_member(row, bdf, view.function(bdf), it != view.predicted.reason.end() ? &it->second : nullptr);
      }
    }
    std::sort(rows.begin(), rows.end(), [](const GroupRow& a, const GroupRow& b) { return a.id < b.id; });
    return rows;
  }
  // The prediction's maps and the functions are all in address order, so
  // one pass pairs each member with its function and its reason, rather
  // than three searches per member. The rows are one allocation, backed at
  // once (base/populate.hpp): grown a doubling at a time, the vector moved
  // every row into fresh pages, a page fault each, which at 4,096 groups
  // was most of this step's time.
  struct Member {
    unsigned group;
    pci::Bdf bdf;
    const host::PciFunction* function;
    const std::string* reason;
  };
  std::vector<Member> members;
  members.reserve(view.predicted.group_of.size());
  auto f = view.functions.begin();
  auto r = view.predicted.reason.begin();
  for (const auto& [bdf, id] : view.predicted.group_of) {
    while (f != view.functions.end() && f->bdf < bdf) ++f;
    while (r != view.predicted.reason.end() && r->first < bdf) ++r;
    members.push_back({id, bdf, f != view.functions.end() && f->bdf == bdf ? &*f : nullptr,
                       r != view.predicted.reason.end() && r->first == bdf ? &r->second : nullptr});
  }
  std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.group < b.group; });
  rows.reserve(members.size());  // at most a group per member
  populate_for_writing(rows.data(), members.size() * sizeof(GroupRow));
  for (size_t i = 0; i < members.size();) {
    GroupRow& row = rows.emplace_back(GroupRow{members[i].group, {}, {}, std::nullopt, true, {}, {}});
    for (; i < members.size() && members[i].group == row.id; ++i)
      add_member(row, members[i].bdf, members[i].function, members[i].reason);
  }
  return rows;
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
  w.key("id").value(row.id).key("type").value(row.type).key("viable").value(row.viable);
  w.key("blockers").value(row.blockers);
  auto it = facts.groups.find(row.id);
  w.key("bindable").value(it != facts.groups.end() && it->second.bindable);
  w.key("refusals").value(it != facts.groups.end() ? it->second.refusals : std::vector<std::string>{});
  // Each member as list describes it; a member the kernel names but sysfs
  // does not hold is only its address.
  w.key("devices").begin_array();
  for (size_t i = 0; i < row.devices.size(); ++i) {
    if (const host::PciFunction* f = row.functions[i]) write_function_json(w, *f, facts.of(f->bdf), names);
    else w.begin_object().key("bdf").value(row.devices[i].str()).end_object();
  }
  w.end_array();
  w.key("reasons").value(row.reasons);
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
  auto rows = rows_of(view);
  if (!selection.everything())
    std::erase_if(rows, [&](const GroupRow& row) {
      return std::none_of(row.functions.begin(), row.functions.end(),
                          [&](const host::PciFunction* f) { return f && selection.selects(*f, &facts, names); });
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
      fmt::print("group {}{}  VFIO: ", row.id, row.type ? " [" + *row.type + "]" : "");
      print_coloured(stdout, row.viable ? Colour::good : Colour::bad, row.viable ? "viable" : "not viable");
      fmt::print("{}\n", row.viable ? "" : fmt::format(" ({})", fmt::join(row.blockers, "; ")));
      for (size_t i = 0; i < row.devices.size(); ++i) {
        const pci::Bdf& bdf = row.devices[i];
        const host::PciFunction* f = row.functions[i];
        const std::string id =
            f && f->vendor_id && f->device_id ? fmt::format("{:04x}:{:04x}", *f->vendor_id, *f->device_id) : "?";
        const std::string name = f && f->vendor_id && f->device_id ? names.device(*f->vendor_id, *f->device_id) : "";
        std::string line =
            fmt::format("  {}  {}  {:<12} {}{}", bdf.str(), id, f && !f->driver.empty() ? f->driver : "-", name,
                        f && f->is_bridge() ? " (bridge, ignored by VFIO)" : "");
        while (line.back() == ' ') line.pop_back();
        fmt::print("{}\n", line);
      }
      for (const auto& why : row.reasons) fmt::print("  why: {}\n", why);
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

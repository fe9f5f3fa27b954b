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
  std::optional<std::string> type;
  bool viable = false;
  std::vector<std::string_view> reasons;  // distinct, in member order; the view's prediction holds them
  std::vector<std::string> blockers;      // members bound to host drivers
};

// The groups to show, by number: the kernel's when there are any, else the
// prediction (a host of thousands of VFs has thousands of groups). The
// rows are one allocation, backed at once (base/populate.hpp), with no map
// node or copied sentence per group: grown a doubling at a time, the
// vector moved every row into fresh pages, a page fault each, which was
// most of this step's time at 4,096 groups.
std::vector<GroupRow> rows_of(const host::HostView& view) {
  std::vector<GroupRow> rows;
  if (view.has_iommu_groups()) {
    rows.reserve(view.groups.size());
    for (const auto& g : view.groups) rows.push_back(GroupRow{g.id, g.devices, g.type, view.group_viable(g), {}, {}});
    std::sort(rows.begin(), rows.end(), [](const GroupRow& a, const GroupRow& b) { return a.id < b.id; });
  } else {
    // Members by group number, each group's in address order (group_of's).
    std::vector<std::pair<unsigned, pci::Bdf>> members;
    members.reserve(view.predicted.group_of.size());
    for (const auto& [bdf, id] : view.predicted.group_of) members.emplace_back(id, bdf);
    std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    rows.reserve(members.size());  // at most a group per member
    populate_for_writing(rows.data(), members.size() * sizeof(GroupRow));
    for (size_t i = 0; i < members.size();) {
      GroupRow& row = rows.emplace_back(GroupRow{members[i].first, {}, std::nullopt, false, {}, {}});
      for (; i < members.size() && members[i].first == row.id; ++i) row.devices.push_back(members[i].second);
      row.viable = view.members_viable(row.devices);
    }
  }
  for (auto& row : rows) {
    for (const auto& bdf : row.devices) {
      // Distinct reasons in member order; a group has few.
      auto it = view.predicted.reason.find(bdf);
      if (it != view.predicted.reason.end() &&
          std::find(row.reasons.begin(), row.reasons.end(), it->second) == row.reasons.end())
        row.reasons.push_back(it->second);
      const host::PciFunction* f = view.function(bdf);
      if (f && !f->is_bridge() && !f->driver.empty() && f->driver != "vfio-pci")
        row.blockers.push_back(fmt::format("{} is bound to {}", bdf.str(), f->driver));
    }
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

void write_row(JsonWriter& w, const GroupRow& row, const host::HostView& view, const host::HostFacts& facts,
               host::PciNames& names) {
  w.begin_object();
  w.key("id").value(row.id).key("type").value(row.type).key("viable").value(row.viable);
  w.key("blockers").value(row.blockers);
  auto it = facts.groups.find(row.id);
  w.key("bindable").value(it != facts.groups.end() && it->second.bindable);
  w.key("refusals").value(it != facts.groups.end() ? it->second.refusals : std::vector<std::string>{});
  // Each member as list describes it; a member the kernel names but sysfs
  // does not hold is only its address.
  w.key("devices").begin_array();
  for (const auto& bdf : row.devices) {
    if (const host::PciFunction* f = view.function(bdf)) write_function_json(w, *f, facts.of(bdf), names);
    else w.begin_object().key("bdf").value(bdf.str()).end_object();
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
      return std::none_of(row.devices.begin(), row.devices.end(), [&](const pci::Bdf& bdf) {
        const host::PciFunction* f = view.function(bdf);
        return f && selection.selects(*f, &facts, names);
      });
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
      write_row(w, row, view, facts, names);
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
      for (const auto& bdf : row.devices) {
        const host::PciFunction* f = view.function(bdf);
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

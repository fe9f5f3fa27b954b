// SPDX-License-Identifier: Apache-2.0
// `vfiokit list [--json] [selection]`: every PCI function (or those the
// selection options pick, as lspci -s/-d would) with its class and names in
// lspci -nn style, driver and the modules that could drive it (lspci -k),
// IOMMU group, reset, power and Resizable BARs, the interfaces and disks
// below it, and whether the host is using it (why bind would refuse).
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/options/selection.hpp"
#include "vfiokit/cli/render/colour.hpp"
#include "vfiokit/cli/render/function_json.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/names_loading.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/render/text_table.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/facts/host_facts.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::cli {
namespace {

struct ListOptions {
  HostOptions host;
  SelectionOptions selection;
};

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string rebar_summary(const host::PciFunction& f) {
  const pci::ResizableBar* r = f.config ? f.config->find<pci::ResizableBar>() : nullptr;
  if (!r) return "-";
  std::vector<std::string> bars;
  for (const auto& e : r->entries) bars.push_back(fmt::format("BAR{}={}", e.bar_index, e.current_size().str()));
  return join(bars, ",");
}

// "Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network
// Connection [8086:10d3]", as lspci -nn prints a function.
std::string device_title(const host::PciFunction& f, host::PciNames& names) {
  std::string title;
  if (f.class_code) {
    // libpci names a class it does not know with its number already
    // ("Unclassified device [00ff]").
    const std::string cls = names.device_class(*f.class_code);
    const std::string number = fmt::format("[{:04x}]", *f.class_code >> 8);
    title = cls.ends_with(number) ? cls + ": " : fmt::format("{}{}: ", cls.empty() ? "" : cls + " ", number);
  }
  if (!f.vendor_id || !f.device_id) return title + "[?]";
  std::string name = names.vendor(*f.vendor_id);
  const std::string device = names.device(*f.vendor_id, *f.device_id);
  if (!device.empty()) name += (name.empty() ? "" : " ") + device;
  return title + (name.empty() ? "" : name + " ") + fmt::format("[{:04x}:{:04x}]", *f.vendor_id, *f.device_id);
}

// The line below a function: what drives it and what hangs off it.
std::string details(const host::FunctionFacts& facts) {
  std::vector<std::string> parts;
  if (facts.modules && !facts.modules->empty()) parts.push_back("modules: " + join(*facts.modules, ", "));
  if (!facts.class_devices.interfaces.empty())
    parts.push_back("interfaces: " + join(facts.class_devices.interfaces, ", "));
  if (!facts.class_devices.block_devices.empty())
    parts.push_back("disks: " + join(facts.class_devices.block_devices, ", "));
  return join(parts, "; ");
}

void print_text(const host::HostView& view, const std::vector<const host::PciFunction*>& shown,
                const host::HostFacts& facts, host::PciNames& names) {
  TextTable table({"BDF", "GROUP", "DRIVER", "RESET", "POWER", "REBAR", "DEVICE"}, {false, true});
  for (const auto* f : shown)
    table.add({f->bdf.str(), f->iommu_group ? std::to_string(*f->iommu_group) : "-",
               f->driver.empty() ? "-" : f->driver, f->reset_methods.empty() ? "-" : join(f->reset_methods, ","),
               f->power_state.value_or("-"), rebar_summary(*f), device_title(*f, names)});
  table.print_header();
  for (size_t i = 0; i < shown.size(); ++i) {
    table.print_row(i);
    const auto& ff = facts.of(shown[i]->bdf);
    if (const std::string more = details(ff); !more.empty()) fmt::print("    {}\n", more);
    for (const auto& use : ff.in_use) {
      fmt::print("    ");
      print_coloured(stdout, Colour::warning, "in use:");
      fmt::print(" {} (bind refuses without --force)\n", use);
    }
  }
  if (!view.has_iommu_groups()) fmt::print("\n{}\n", kNoIommuAdvice);
}

int run_list(const ListOptions& options) {
  const HostOptions& o = options.host;
  auto source = open_host_source(o);
  if (!source) return 1;
  NamesLoading loading;  // while sysfs is read
  const host::HostView view = host::read_host(source->root(), host::Detail::summary, host::Predict::nothing);
  auto aliases = source->read_modules_alias();
  if (!aliases) print_error(aliases.error());
  // list shows no group verdict: the groups' bind plans are made only
  // for --viable and --bindable.
  const Selection selection = Selection::make(options.selection);
  const host::HostFacts facts =
      host::read_host_facts(source->root(), view, aliases ? *aliases : std::nullopt,
                            selection.needs_group_facts() ? host::GroupVerdicts::read : host::GroupVerdicts::skip);
  host::PciNames& names = loading.get();
  std::vector<const host::PciFunction*> shown;
  for (const auto& f : view.functions)
    if (selection.selects(f, &facts, names)) shown.push_back(&f);
  if (o.json) {
    JsonWriter w;
    w.begin_object().key("schema").value("vfiokit.list/2").key("iommu").value(view.has_iommu_groups());
    w.key("functions").begin_array();
    for (const auto* f : shown) {
      write_function_json(w, *f, facts.of(f->bdf), names);
      w.drain(stdout);
    }
    w.end_array().end_object();
    print_json(w);
  } else if (view.functions.empty()) {
    fmt::print("No PCI functions under {}\n", source->root().pci_devices().string());
  } else {
    print_text(view, shown, facts, names);
  }
  return report_host_problems(view, o.strict);
}

}  // namespace

Runner add_list_command(CLI::App& app) {
  auto options = std::make_shared<ListOptions>();
  CLI::App* cmd = app.add_subcommand(
      "list", "List PCI functions: names, driver and modules, IOMMU group, reset, power, ReBAR, what uses them");
  add_host_options(cmd, options->host);
  add_selection_options(cmd, options->selection);
  return [cmd, options] { return cmd->parsed() ? run_list(*options) : -1; };
}

}  // namespace vfiokit::cli

// `vfiokit list [--json]`: every PCI function with its driver, IOMMU group
// and a summary of its reset, power and Resizable BAR abilities.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/host_options.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "host/pci_names.hpp"
#include "host/sysfs_source.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string rebar_summary(const host::PciFunction& f) {
  const pci::ResizableBar* r = f.config ? f.config->find<pci::ResizableBar>() : nullptr;
  if (!r) return "";
  std::vector<std::string> bars;
  for (const auto& e : r->entries) bars.push_back(fmt::format("BAR{}={}", e.bar_index, e.current_size().str()));
  return join(bars, ",");
}

json function_json(const host::PciFunction& f, host::PciNames& names) {
  json j{{"bdf", f.bdf.str()},
         {"parent", f.parent ? json(f.parent->str()) : json(nullptr)},
         {"vendor_id", f.vendor_id ? json(*f.vendor_id) : json(nullptr)},
         {"device_id", f.device_id ? json(*f.device_id) : json(nullptr)},
         {"class_code", f.class_code ? json(*f.class_code) : json(nullptr)},
         {"name", f.vendor_id && f.device_id ? names.device(*f.vendor_id, *f.device_id) : ""},
         {"bridge", f.is_bridge()},
         {"driver", f.driver.empty() ? json(nullptr) : json(f.driver)},
         {"driver_override", f.driver_override ? json(*f.driver_override) : json(nullptr)},
         {"iommu_group", f.iommu_group ? json(*f.iommu_group) : json(nullptr)},
         {"numa_node", f.numa_node ? json(*f.numa_node) : json(nullptr)},
         {"reset_methods", f.reset_methods},
         {"power_state", f.power_state ? json(*f.power_state) : json(nullptr)},
         {"d3cold_allowed", f.d3cold_allowed ? json(*f.d3cold_allowed) : json(nullptr)},
         {"resizable_bars", f.resizable_bars},
         {"vfio_dev", f.vfio_dev ? json(*f.vfio_dev) : json(nullptr)}};
  if (f.sriov_totalvfs) j["sriov"] = {{"total_vfs", *f.sriov_totalvfs}, {"num_vfs", f.sriov_numvfs.value_or(0)}};
  if (f.physfn) j["physfn"] = f.physfn->str();
  json problems = json::array();
  for (const auto& p : f.problems) problems.push_back(p.describe());
  j["problems"] = std::move(problems);
  return j;
}

int run_list(const HostOptions& o) {
  auto source = open_host_source(o);
  if (!source) return 1;
  const host::HostView view = host::read_host(source->root());
  host::PciNames names;
  if (o.json) {
    json list = json::array();
    for (const auto& f : view.functions) list.push_back(function_json(f, names));
    json out{{"schema", "vfiokit.list/1"}, {"iommu", view.has_iommu_groups()}};
    // Moved, not copied: a host of thousands of functions is a large tree.
    out["functions"] = std::move(list);
    print_json(out);
  } else {
    if (view.functions.empty()) fmt::print("No PCI functions under {}\n", source->root().pci_devices().string());
    fmt::print("{:<13} {:<10} {:<14} {:>5}  {:<16} {:<6} {}\n", "BDF", "ID", "DRIVER", "GROUP", "RESET", "POWER",
               "REBAR  NAME");
    for (const auto& f : view.functions) {
      const std::string id = f.vendor_id && f.device_id ? fmt::format("{:04x}:{:04x}", *f.vendor_id, *f.device_id)
                                                        : "?";
      std::string name = f.vendor_id && f.device_id ? names.device(*f.vendor_id, *f.device_id) : "";
      const std::string rebar = rebar_summary(f);
      fmt::print("{:<13} {:<10} {:<14} {:>5}  {:<16} {:<6} {}{}\n", f.bdf.str(), id,
                 f.driver.empty() ? "-" : f.driver, f.iommu_group ? std::to_string(*f.iommu_group) : "-",
                 f.reset_methods.empty() ? "-" : join(f.reset_methods, ","), f.power_state.value_or("-"),
                 rebar.empty() ? "" : rebar + "  ", name);
    }
    if (!view.has_iommu_groups()) fmt::print("\n{}\n", kNoIommuAdvice);
  }
  return report_host_problems(view, o.strict);
}

}  // namespace

Runner add_list_command(CLI::App& app) {
  auto options = std::make_shared<HostOptions>();
  CLI::App* cmd = app.add_subcommand("list", "List PCI functions with driver, IOMMU group, reset, power and ReBAR");
  add_host_options(cmd, *options);
  return [cmd, options] { return cmd->parsed() ? run_list(*options) : -1; };
}

}  // namespace vfiokit::cli

// `vfiokit list [--json]`: every PCI function with its driver, IOMMU group
// and a summary of its reset, power and Resizable BAR abilities.
#include <fmt/format.h>

#include <future>
#include <memory>
#include <system_error>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::cli {
namespace {

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

// The members in the order `vfiokit.list/1` has always had them.
void write_function(JsonWriter& w, const host::PciFunction& f, host::PciNames& names) {
  w.begin_object();
  w.key("bdf").value(f.bdf.str());
  if (f.parent) w.key("parent").value(f.parent->str());
  else w.key("parent").null();
  w.key("vendor_id").value(f.vendor_id);
  w.key("device_id").value(f.device_id);
  w.key("class_code").value(f.class_code);
  w.key("name").value(f.vendor_id && f.device_id ? names.device(*f.vendor_id, *f.device_id) : "");
  w.key("bridge").value(f.is_bridge());
  if (f.driver.empty()) w.key("driver").null();
  else w.key("driver").value(f.driver);
  w.key("driver_override").value(f.driver_override);
  w.key("iommu_group").value(f.iommu_group);
  w.key("numa_node").value(f.numa_node);
  w.key("reset_methods").value(f.reset_methods);
  w.key("power_state").value(f.power_state);
  w.key("d3cold_allowed").value(f.d3cold_allowed);
  w.key("resizable_bars").value(f.resizable_bars);
  w.key("vfio_dev").value(f.vfio_dev);
  if (f.sriov_totalvfs) {
    w.key("sriov").begin_object();
    w.key("total_vfs").value(*f.sriov_totalvfs).key("num_vfs").value(f.sriov_numvfs.value_or(0));
    w.end_object();
  }
  if (f.physfn) w.key("physfn").value(f.physfn->str());
  w.key("problems").begin_array();
  for (const auto& p : f.problems) w.value(p.describe());
  w.end_array();
  w.end_object();
}

int run_list(const HostOptions& o) {
  auto source = open_host_source(o);
  if (!source) return 1;
  // pci.ids loads while sysfs is read: on a host of thousands of functions
  // the two take milliseconds each.
  const auto load = [] {
    auto names = std::make_unique<host::PciNames>();
    names->preload();
    return names;
  };
  std::future<std::unique_ptr<host::PciNames>> loading;
  try {
    loading = std::async(std::launch::async, load);
  } catch (const std::system_error&) {
    loading = std::async(std::launch::deferred, load);  // no thread to spare: loaded when first needed
  }
  const host::HostView view = host::read_host(source->root(), host::Detail::summary, host::Predict::nothing);
  const std::unique_ptr<host::PciNames> loaded = loading.get();
  host::PciNames& names = *loaded;
  if (o.json) {
    JsonWriter w;
    w.begin_object().key("schema").value("vfiokit.list/1").key("iommu").value(view.has_iommu_groups());
    w.key("functions").begin_array();
    for (const auto& f : view.functions) {
      write_function(w, f, names);
      w.drain(stdout);
    }
    w.end_array().end_object();
    print_json(w);
  } else {
    if (view.functions.empty()) fmt::print("No PCI functions under {}\n", source->root().pci_devices().string());
    fmt::print("{:<13} {:<10} {:<14} {:>5}  {:<16} {:<6} {}\n", "BDF", "ID", "DRIVER", "GROUP", "RESET", "POWER",
               "REBAR  NAME");
    for (const auto& f : view.functions) {
      const std::string id =
          f.vendor_id && f.device_id ? fmt::format("{:04x}:{:04x}", *f.vendor_id, *f.device_id) : "?";
      std::string name = f.vendor_id && f.device_id ? names.device(*f.vendor_id, *f.device_id) : "";
      const std::string rebar = rebar_summary(f);
      fmt::print("{:<13} {:<10} {:<14} {:>5}  {:<16} {:<6} {}{}\n", f.bdf.str(), id, f.driver.empty() ? "-" : f.driver,
                 f.iommu_group ? std::to_string(*f.iommu_group) : "-",
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

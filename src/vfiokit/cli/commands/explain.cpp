// SPDX-License-Identifier: Apache-2.0
// `vfiokit explain BDF [--json]`: why the device's IOMMU group is what it
// is, what must be assigned with it, what would isolate it, its reset
// methods and what a bus reset would also hit.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/sysfs/source.hpp"
#include "vfiokit/host/view/isolation_advice.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

struct ExplainOptions {
  std::string bdf;
  HostOptions host;
};

int run_explain(const ExplainOptions& o) {
  auto bdf = pci::Bdf::parse(o.bdf);
  if (!bdf) return print_error(bdf.error()), 2;
  auto source = open_host_source(o.host);
  if (!source) return 1;
  const host::HostView view = host::read_host(source->root());
  const host::PciFunction* f = view.function(*bdf);
  if (!f) {
    print_error(Error(Errc::not_found, bdf->str(), "no such PCI device on this host"));
    return 1;
  }
  const bool kernel = f->iommu_group.has_value();
  const unsigned group = kernel ? *f->iommu_group : view.predicted.group_of.at(f->bdf);
  std::vector<const host::PciFunction*> members;
  for (const auto& g : view.functions) {
    const auto id = kernel ? g.iommu_group : std::optional<unsigned>(view.predicted.group_of.at(g.bdf));
    if (id == group) members.push_back(&g);
  }
  std::vector<std::string> with_it, reasons;
  for (const auto* m : members) {
    if (m->bdf != f->bdf && !m->is_bridge())
      with_it.push_back(m->bdf.str() + (m->driver.empty() ? "" : " (bound to " + m->driver + ")"));
    const std::string& why = view.predicted.reason.at(m->bdf);
    if (std::find(reasons.begin(), reasons.end(), why) == reasons.end()) reasons.push_back(why);
  }
  const host::IsolationAdvice advice = host::isolation_advice(view, *f);
  std::vector<std::string> bus_hits;
  for (const auto& b : host::bus_reset_also_hits(view, *f)) bus_hits.push_back(b.str());
  const bool predicted_agrees = !kernel || view.predicted.group_of.at(f->bdf) == *f->iommu_group;

  if (o.host.json) {
    print_json(
        json{{"schema", "vfiokit.explain/2"},
             {"bdf", f->bdf.str()},
             {"group", group},
             {"group_source", kernel ? "kernel" : "predicted"},
             {"prediction_agrees", predicted_agrees},
             {"assign_with", with_it},
             {"reasons", reasons},
             {"isolation", advice.causes},
             {"kernel_parameter", advice.kernel_parameter().empty() ? json(nullptr) : json(advice.kernel_parameter())},
             {"reset_methods", f->reset_methods},
             {"bus_reset_also_hits", bus_hits}});
    return report_host_problems(view, o.host.strict);
  }
  host::PciNames names;
  const std::string name = f->vendor_id && f->device_id ? names.device(*f->vendor_id, *f->device_id) : "";
  fmt::print("{}{}{}\n", f->bdf.str(), name.empty() ? "" : " ", name);
  if (!kernel) fmt::print("{}\nWhat follows is vfiokit's prediction.\n", kNoIommuAdvice);
  fmt::print("IOMMU group {}{}\n", group,
             predicted_agrees ? "" : " (vfiokit predicted another group; a kernel quirk may explain it)");
  if (with_it.empty()) fmt::print("  alone: it can be assigned by itself\n");
  else fmt::print("  must be assigned together with: {}\n", fmt::join(with_it, ", "));
  for (const auto& why : reasons) fmt::print("  why: {}\n", why);
  for (const auto& cause : advice.causes) fmt::print("  to isolate: {}\n", cause);
  if (!advice.kernel_parameter().empty()) fmt::print("  kernel parameter: {}\n", advice.kernel_parameter());
  fmt::print("Reset: {}\n",
             f->reset_methods.empty() ? "no reset method" : fmt::format("{}", fmt::join(f->reset_methods, ", ")));
  if (std::find(f->reset_methods.begin(), f->reset_methods.end(), "bus") != f->reset_methods.end())
    fmt::print("  a bus reset also resets: {}\n",
               bus_hits.empty() ? "nothing else" : fmt::format("{}", fmt::join(bus_hits, ", ")));
  return report_host_problems(view, o.host.strict);
}

}  // namespace

Runner add_explain_command(CLI::App& app) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand("explain", "Why a device's IOMMU group is what it is, and what would change it");
  cmd->footer(
      "For one function: the members of its IOMMU group, why each is there, what would separate them (ACS\n"
      "on a port, another slot, a kernel quirk), and how the function can be reset.\n");
  cmd->add_option("BDF", options->bdf, "device address, e.g. 0000:03:00.0")->required()->check(bdf_value());
  add_host_options(cmd, options->host);
  return [cmd, options] { return cmd->parsed() ? run_explain(*options) : -1; };
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// `vfiokit probe BDF|UUID [--json] [--backend auto|type1|iommufd]`: opens
// the device (a PCI function or an mdev) through VFIO and reports what the
// kernel says about it: backend, regions with their capabilities,
// interrupts, reset abilities, device features (low power, migration, DMA
// logging), and the IOVA ranges DMA may use. The result is computed once
// (cli/results/probe_result) and rendered as text or JSON (cli/render/probe).
#include "vfiokit/cli/render/probe.hpp"

#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/results/probe_result.hpp"
#include "vfiokit/cli/usage/validators.hpp"

namespace vfiokit::cli {
namespace {

struct ProbeOptions {
  std::string bdf;
  std::string backend = "auto";
  bool json = false;
};

int run_probe(const ProbeOptions& o) {
  auto address = vfio::DeviceAddress::parse(o.bdf);
  if (!address) return print_error(address.error()), 2;  // a malformed address is a usage error
  auto choice = vfio::parse_backend_choice(o.backend);
  if (!choice) {
    print_error(choice.error());
    return 2;
  }
  auto dev = vfio::Device::open(*address, *choice);
  if (!dev) {
    print_error(dev.error());
    return 1;
  }
  const ProbeResult result = probe_device(**dev);
  if (o.json) print_json(probe_json(result));
  else fmt::print("{}", probe_text(result));
  for (const auto& p : result.problems) print_error(p);
  return result.problems.empty() ? 0 : 1;
}

}  // namespace

Runner add_probe_command(CLI::App& app) {
  auto options = std::make_shared<ProbeOptions>();
  CLI::App* cmd =
      app.add_subcommand("probe", "Open a device bound to vfio-pci (or an mdev) and show what VFIO reports");
  cmd->add_option("DEVICE", options->bdf, "device address (0000:03:00.0 or 03:00.0) or an mdev UUID")
      ->required()
      ->check(device_address_value());
  cmd->add_flag("--json", options->json, "print JSON (schema vfiokit.probe/1)");
  cmd->add_option("--backend", options->backend,
                  "IOMMU backend: auto (iommufd when the device has a vfio cdev), type1, iommufd")
      ->check(CLI::IsMember({"auto", "type1", "iommufd"}));
  return [cmd, options] { return cmd->parsed() ? run_probe(*options) : -1; };
}

}  // namespace vfiokit::cli

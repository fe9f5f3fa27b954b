// SPDX-License-Identifier: Apache-2.0
// `vfiokit show BDF [--json] [--sysfs-root DIR]`: decode a live device.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/device_json.hpp"
#include "vfiokit/cli/render/device_text.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/devices/device_config.hpp"
#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::cli {
namespace {

struct ShowOptions {
  std::string bdf;
  std::string sysfs_root;
  bool json = false;
};

int run_show(const ShowOptions& o) {
  auto bdf = pci::Bdf::parse(o.bdf);
  if (!bdf) return print_error(bdf.error()), kExitUsage;
  const auto source = open_sysfs_root(o.sysfs_root);
  if (!source) return kExitFailure;
  auto read = host::read_device_config(source->root(), *bdf);
  if (!read) {
    print_error(read.error());
    return 1;
  }
  const pci::DecodedDevice decoded = pci::decode_device(read->config);
  // The function's sysfs view: BAR sizes from `resource`, the driver.
  const host::PciFunction function = host::read_pci_function(source->root(), *bdf, host::Detail::summary);
  DeviceLabel::Host facts{{}, function.driver};
  for (const auto& r : function.resources) facts.bar_sizes.push_back(r.size());
  const DeviceLabel label{*bdf, "", 0, facts};
  host::PciNames names;
  const std::string privilege_note = fmt::format(
      "{}: only the first 64 of {} bytes of config space are readable without CAP_SYS_ADMIN; run as root to "
      "see capabilities",
      bdf->str(), read->file_size);
  if (o.json) {
    nlohmann::ordered_json device = device_json(label, decoded, names);
    device["limited_by_privilege"] = read->limited_by_privilege;
    print_json(nlohmann::ordered_json{{"schema", kDevicesSchema}, {"devices", {device}}});
  } else {
    fmt::print("{}", device_text(label, decoded, names));
  }
  if (read->limited_by_privilege) print_note(privilege_note);
  int status = 0;
  for (const auto& line : device_defect_lines(decoded)) {
    print_error_line(fmt::format("{}: {}", bdf->str(), line));
    status = 1;
  }
  return status;
}

}  // namespace

Runner add_show_command(CLI::App& app) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* cmd = app.add_subcommand("show", "Decode the config space of a device on this host (from sysfs)");
  cmd->add_option("BDF", options->bdf, "device address, e.g. 0000:03:00.0 or 03:00.0")->required()->check(bdf_value());
  cmd->add_flag("--json", options->json, "print JSON (schema vfiokit.devices/2)");
  add_sysfs_root_option(cmd, options->sysfs_root);
  return [cmd, options] { return cmd->parsed() ? run_show(*options) : -1; };
}

}  // namespace vfiokit::cli

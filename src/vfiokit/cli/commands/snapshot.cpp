// SPDX-License-Identifier: Apache-2.0
// `vfiokit snapshot OUT.tar.gz`: capture what vfiokit reads of this host.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/devices/host_apertures.hpp"
#include "vfiokit/host/snapshot/snapshot_writer.hpp"

namespace vfiokit::cli {
namespace {

struct SnapshotOptions {
  std::string out;
  HostOptions host;
};

int run_snapshot(const SnapshotOptions& o) {
  if (!o.out.ends_with(".tar.gz") && !o.out.ends_with(".tgz")) {
    print_error(Error(Errc::invalid_argument, o.out, "the snapshot is a .tar.gz file"));
    return 2;
  }
  auto source = open_host_source(o.host);
  if (!source) return 1;
  auto aliases = source->read_modules_alias();
  if (!aliases) print_error(aliases.error());
  // The host bridge apertures, for resize plans and simulations on the snapshot.
  auto iomem = host::read_iomem(source->root());
  if (!iomem) print_error(iomem.error());
  auto summary =
      host::write_snapshot(source->root(), o.out, aliases ? *aliases : std::nullopt, iomem ? *iomem : std::nullopt);
  if (!summary) {
    print_error(summary.error());
    return 1;
  }
  for (const auto& skipped : summary->skipped) print_error(skipped);
  fmt::print("{}: {} PCI functions, {} IOMMU groups, {} files\n", o.out, summary->functions, summary->groups,
             summary->files);
  if (summary->config_limited)
    print_note("config spaces hold only their first 64 bytes (run as root to capture them whole)");
  return 0;
}

}  // namespace

Runner add_snapshot_command(CLI::App& app) {
  auto options = std::make_shared<SnapshotOptions>();
  CLI::App* cmd = app.add_subcommand("snapshot", "Capture the sysfs vfiokit reads into a .tar.gz (for bug reports)");
  cmd->add_option("OUT", options->out, "the snapshot to write, e.g. host.tar.gz")->required();
  cmd->add_option("--sysfs-root", options->host.sysfs_root, "capture another sysfs tree or snapshot instead of /sys");
  return [cmd, options] { return cmd->parsed() ? run_snapshot(*options) : -1; };
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// `vfiokit snapshot OUT.tar.gz|DIR`: capture what vfiokit reads of this
// host, as an archive to attach to a bug report, or as a new directory to
// read or simulate on without unpacking it.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/base/printable.hpp"
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

bool names_an_archive(const std::string& out) { return out.ends_with(".tar.gz") || out.ends_with(".tgz"); }

int run_snapshot(const SnapshotOptions& o) {
  // Any other name is a directory, made new: other archive formats are not
  // written, and a name like them is more likely a mistake than a wish for
  // a directory called "host.zip".
  for (const char* other : {".zip", ".tar", ".tar.xz", ".tar.zst", ".tar.bz2", ".txz", ".tbz2"})
    if (o.out.ends_with(other)) {
      print_error(Error(Errc::invalid_argument, printable(o.out),
                        "the snapshot is a .tar.gz file or a new directory; other archives are not written"));
      return 2;
    }
  auto source = open_host_source(o.host);
  if (!source) return 1;
  auto aliases = source->read_modules_alias();
  if (!aliases) print_error(aliases.error());
  // The host bridge apertures, for resize plans and simulations on the snapshot.
  auto iomem = host::read_iomem(source->root());
  if (!iomem) print_error(iomem.error());
  const auto& alias_lines = aliases ? *aliases : std::nullopt;
  const auto& iomem_lines = iomem ? *iomem : std::nullopt;
  auto summary = names_an_archive(o.out)
                     ? host::write_snapshot(source->root(), o.out, alias_lines, iomem_lines)
                     : host::write_snapshot_directory(source->root(), o.out, alias_lines, iomem_lines);
  if (!summary) {
    print_error(summary.error());
    return 1;
  }
  for (const auto& skipped : summary->skipped) print_error(skipped);
  fmt::print("{}: {} PCI functions, {} IOMMU groups, {} files\n", printable(o.out), summary->functions, summary->groups,
             summary->files);
  if (summary->config_limited)
    print_note("config spaces hold only their first 64 bytes (run as root to capture them whole)");
  return 0;
}

}  // namespace

Runner add_snapshot_command(CLI::App& app) {
  auto options = std::make_shared<SnapshotOptions>();
  CLI::App* cmd = app.add_subcommand(
      "snapshot", "Capture the sysfs vfiokit reads into a .tar.gz (for bug reports) or a new directory");
  cmd->add_option("OUT", options->out,
                  "the snapshot to write: host.tar.gz, or a directory that does not exist yet (host/)")
      ->required();
  cmd->add_option("--sysfs-root", options->host.sysfs_root, "capture another sysfs tree or snapshot instead of /sys");
  return [cmd, options] { return cmd->parsed() ? run_snapshot(*options) : -1; };
}

}  // namespace vfiokit::cli

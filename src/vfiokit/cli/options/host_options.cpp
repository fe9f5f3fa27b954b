// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/host_options.hpp"

#include "vfiokit/cli/render/output.hpp"

namespace vfiokit::cli {

const char* const kNoIommuAdvice =
    "No IOMMU groups: this kernel has no active IOMMU, so no device can be assigned with VFIO. Enable "
    "VT-d (Intel) or AMD-Vi (AMD) in the firmware and boot with intel_iommu=on or amd_iommu=on.";

extern const uint8_t kExampleSnapshot[];
extern const size_t kExampleSnapshotSize;

std::span<const uint8_t> example_snapshot() { return {kExampleSnapshot, kExampleSnapshotSize}; }

void add_host_options(CLI::App* cmd, HostOptions& options) {
  cmd->add_flag("--json", options.json, "print JSON");
  cmd->add_flag("--example", options.example,
                "show the built-in example host: a QEMU guest with an emulated IOMMU, captured by the lab");
  add_sysfs_root_option(cmd, options.sysfs_root);
  cmd->add_flag("--strict", options.strict, "exit 1 when anything read is missing or malformed");
}

void add_sysfs_root_option(CLI::App* cmd, std::string& sysfs_root) {
  cmd->add_option("--sysfs-root", sysfs_root,
                  "read a sysfs directory, a snapshot directory or a snapshot .tar.gz instead of /sys "
                  "(also $VFIOKIT_SYSFS_ROOT)");
}

std::optional<host::SysfsSource> open_sysfs_root(const std::string& sysfs_root) {
  auto source = host::SysfsSource::open(sysfs_root);
  if (!source) {
    print_error(source.error());
    return std::nullopt;
  }
  return std::move(*source);
}

std::optional<host::SysfsSource> open_host_source(const HostOptions& options) {
  if (!options.example) return open_sysfs_root(options.sysfs_root);
  auto source = host::SysfsSource::open_archive(example_snapshot(), "the example host");
  if (!source) {
    print_error(source.error());
    return std::nullopt;
  }
  return std::move(*source);
}

int report_host_problems(const host::HostView& view, bool strict) {
  const auto lines = view.problem_lines();
  for (const auto& line : lines) print_error_line(line);
  return strict && !lines.empty() ? 1 : 0;
}

}  // namespace vfiokit::cli

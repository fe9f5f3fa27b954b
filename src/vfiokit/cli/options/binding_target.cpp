// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/binding_target.hpp"

#include <fmt/format.h>

#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/binding/plan.hpp"

namespace vfiokit::cli {

void add_journal_option(CLI::App* cmd, std::string& journal_dir) {
  cmd->add_option("--journal-dir", journal_dir,
                  fmt::format("where the journal of changes lives (also ${}; default {})", host::kJournalDirEnv,
                              host::kDefaultJournalDir));
}

void add_binding_target(CLI::App* cmd, BindingTarget& target) {
  auto* bdf = cmd->add_option("BDF", target.bdf, "a function; its whole IOMMU group is the unit")->check(bdf_value());
  auto* group = cmd->add_option("--group", target.group, "an IOMMU group by number");
  bdf->excludes(group);
  group->excludes(bdf);
  add_journal_option(cmd, target.journal_dir);
}

Result<unsigned> resolve_group(const BindingTarget& target, const host::HostView& view) {
  if (target.group) {
    for (const auto& g : view.groups)
      if (g.id == *target.group) return *target.group;
    return fail(Errc::not_found, fmt::format("IOMMU group {}", *target.group), "does not exist on this host");
  }
  if (target.bdf.empty()) return fail(Errc::invalid_argument, "", "name a function (BDF) or --group N");
  auto bdf = pci::Bdf::parse(target.bdf);
  if (!bdf) return fail(bdf.error());
  return host::group_of_function(view, *bdf);
}

}  // namespace vfiokit::cli

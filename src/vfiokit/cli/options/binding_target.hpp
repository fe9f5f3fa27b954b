// SPDX-License-Identifier: Apache-2.0
// What bind and release act on (a function's whole IOMMU group, or a group
// by number) and where the journal lives: options the binding commands share.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

struct BindingTarget {
  std::string bdf;
  std::optional<unsigned> group;
  std::string journal_dir;

  bool named() const { return !bdf.empty() || group.has_value(); }
};

void add_binding_target(CLI::App* cmd, BindingTarget& target);
void add_journal_option(CLI::App* cmd, std::string& journal_dir);

// The group number the options name, checked against the host.
Result<unsigned> resolve_group(const BindingTarget& target, const host::HostView& view);

}  // namespace vfiokit::cli

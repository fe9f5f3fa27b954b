// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/plan_gate.hpp"

#include <fmt/format.h>

#include "vfiokit/cli/render/output.hpp"

namespace vfiokit::cli {

std::optional<int> stop_before_applying(const std::vector<std::string>& in_use, bool force, bool dry_run,
                                        std::string_view forced, std::string_view how_to_force) {
  for (const auto& u : in_use)
    print_error_line(force ? fmt::format("in use, {} anyway (forced): {}", forced, u)
                           : fmt::format("refusing: in use: {}", u));
  if (!in_use.empty() && !force) {
    print_note(fmt::format("stop using it first, or {} to take it anyway", how_to_force));
    return 1;
  }
  if (dry_run) {
    fmt::print("dry run: nothing was changed\n");
    return 0;
  }
  return std::nullopt;
}

}  // namespace vfiokit::cli

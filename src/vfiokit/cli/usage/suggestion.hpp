// SPDX-License-Identifier: Apache-2.0
// "did you mean list?" for a mistyped command name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfiokit::cli {

// The candidate nearest to `typed` by edit distance (insertions, deletions,
// substitutions and swaps of neighbours), when it is near enough to be what
// was meant: at most a third of the longer word, and at least one.
std::optional<std::string> nearest_name(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace vfiokit::cli

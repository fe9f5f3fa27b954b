// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/usage/suggestion.hpp"

#include <algorithm>

namespace vfiokit::cli {
namespace {

// Optimal string alignment distance: Levenshtein plus one step for two
// neighbouring letters typed in the wrong order ("lsit").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> nearest_name(std::string_view typed, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    const size_t distance = edit_distance(typed, c);
    const size_t allowed = std::max<size_t>(1, std::max(typed.size(), c.size()) / 3);
    if (distance > allowed) continue;
    if (!best || distance < best_distance) best = c, best_distance = distance;
  }
  return best;
}

}  // namespace vfiokit::cli

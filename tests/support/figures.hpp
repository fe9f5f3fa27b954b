// SPDX-License-Identifier: Apache-2.0
// Figures a benchmark hands to the summary table scripts/test prints at its
// end (scripts/perf-summary): one "key value" line each, appended to the
// file $VFIOKIT_FIGURES names. Without it, figures are only printed.
#pragma once

#include <string>

namespace vfiokit::testing {

class Figures {
 public:
  void add(const std::string& key, double value) const;
};

}  // namespace vfiokit::testing

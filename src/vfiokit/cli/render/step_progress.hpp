// SPDX-License-Identifier: Apache-2.0
// Each step of a change as it runs, after the printed plan:
//   step 3/9 unbind 0000:08:00.0 from e1000e ... ok (0.4 s)
// The start of the line is written (and flushed) when the step starts, so
// a slow step (a rescan, a probe) is visibly in progress.
#pragma once

#include "vfiokit/host/change/execution_options.hpp"

namespace vfiokit::cli {

void print_step_event(const host::StepEvent& event);

// "0.4 s", or "12 ms" under a tenth of a second.
std::string duration_text(std::chrono::steady_clock::duration took);

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/step_progress.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "vfiokit/cli/render/colour.hpp"

namespace vfiokit::cli {

std::string duration_text(std::chrono::steady_clock::duration took) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  if (ms < 100) return fmt::format("{} ms", ms);
  return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
}

void print_step_event(const host::StepEvent& e) {
  using Phase = host::StepEvent::Phase;
  if (e.phase == Phase::started) {
    fmt::print("step {}/{} {} ... ", e.index + 1, e.count, e.text);
    std::fflush(stdout);
    return;
  }
  const bool ok = e.phase == Phase::succeeded;
  print_coloured(stdout, ok ? Colour::good : Colour::bad, ok ? "ok" : "failed");
  fmt::print(" ({})\n", duration_text(e.took));
  std::fflush(stdout);
}

}  // namespace vfiokit::cli

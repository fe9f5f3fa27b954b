// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/output.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/cli/render/colour.hpp"

namespace vfiokit::cli {

void print_error(const Error& error) { print_error_line(error.describe()); }

// What was printed so far comes first, so that a message sits after the
// plan it concerns even when both streams go to one pipe.
void print_error_line(std::string_view line) {
  std::fflush(stdout);
  print_coloured(stderr, Colour::bad, "vfiokit:");
  fmt::print(stderr, " {}\n", printable(line));
}

void print_note(std::string_view line) {
  std::fflush(stdout);
  fmt::print(stderr, "vfiokit: note: {}\n", printable(line));
}

}  // namespace vfiokit::cli

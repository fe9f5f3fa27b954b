// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/usage/exit_status.hpp"

#include <cstdio>

#include "vfiokit/cli/render/output.hpp"

namespace vfiokit::cli {

int usage_error(std::string_view message) {
  print_error_line(message);
  std::fputs("Run with --help for more information.\n", stderr);
  return kExitUsage;
}

}  // namespace vfiokit::cli

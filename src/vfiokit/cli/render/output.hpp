// SPDX-License-Identifier: Apache-2.0
// Where the CLI writes: results to stdout, errors and defects to stderr as
// one line each, prefixed "vfiokit: " so they can be told from output.
#pragma once

#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::cli {

void print_error(const Error& error);
void print_error_line(std::string_view line);
void print_note(std::string_view line);

}  // namespace vfiokit::cli

#include "cli/output.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace vfiokit::cli {

void print_error(const Error& error) { print_error_line(error.describe()); }

void print_error_line(std::string_view line) { fmt::print(stderr, "vfiokit: {}\n", line); }

void print_note(std::string_view line) { fmt::print(stderr, "vfiokit: note: {}\n", line); }

}  // namespace vfiokit::cli

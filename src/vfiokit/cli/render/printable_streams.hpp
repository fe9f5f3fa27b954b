// SPDX-License-Identifier: Apache-2.0
// Every byte the CLI writes to its stdout and stderr passes through
// vfiokit::printable's rule (base/printable.hpp) on the way out: a control
// character from a device, a dump, a snapshot or a sysfs name can never
// reach the terminal raw, whichever command printed it and however (fmt,
// stdio, iostreams). Newlines and tabs pass; JSON is already escaped by its
// writer and passes unchanged.
#pragma once

#include <cstdio>
#include <string_view>

namespace vfiokit::cli {

// Replaces stdout and stderr (and std::cout, std::cerr) with escaping
// streams over the same descriptors. Called once, first thing in main.
// SIGPIPE is ignored from then on: a closed reader drops the rest of the
// output instead of killing the command (output_closed says so).
void make_output_printable();

// Writes the CLI's own terminal control sequences (colour) unescaped.
void write_raw(FILE* stream, std::string_view bytes);

// Whether stdout's reader has gone away.
bool output_closed();

}  // namespace vfiokit::cli

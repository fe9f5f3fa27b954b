// SPDX-License-Identifier: Apache-2.0
// Runs a command as a user would and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace vfiokit::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH. Extra environment entries are "NAME=value".
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// The same with `input` on standard input (as libvirt hands a hook the
// domain's XML).
ProcessResult run_process_with_input(const std::vector<std::string>& argv, const std::string& input,
                                     const std::vector<std::string>& env = {});

// The same with standard output sent to /dev/null (result.out stays empty),
// as a benchmark times a command: what it prints costs the command its
// writes, not the caller a file to fill, read back and remove.
ProcessResult run_process_discarding_output(const std::vector<std::string>& argv);

// With standard output a pipe whose reader has already gone, as
// `vfiokit list | head -0` leaves it; result.out stays empty.
ProcessResult run_process_into_closed_pipe(const std::vector<std::string>& argv);

// With standard output and standard error on a new pseudo-terminal, as a
// person at a terminal runs it; result.out holds everything the terminal
// showed (both streams).
ProcessResult run_process_in_terminal(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace vfiokit::testing

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

// The same with standard output sent to /dev/null (result.out stays empty),
// as a benchmark times a command: what it prints costs the command its
// writes, not the caller a file to fill, read back and remove.
ProcessResult run_process_discarding_output(const std::vector<std::string>& argv);

}  // namespace vfiokit::testing

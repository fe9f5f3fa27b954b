// Running a helper tool vfiokit relies on (tar, Graphviz's dot) and waiting
// for it, with its outcome as a Result.
#pragma once

#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// argv[0] is looked up in PATH. Fails, naming `subject`, when the tool cannot
// be started or does not exit with status 0.
Result<void> run_tool(std::vector<std::string> argv, const std::string& subject);

}  // namespace vfiokit::host

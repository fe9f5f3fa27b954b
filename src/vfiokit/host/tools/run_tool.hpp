// SPDX-License-Identifier: Apache-2.0
// Running a helper tool vfiokit relies on (modprobe, Graphviz's dot) and
// waiting for it, with its outcome as a Result.
//
// vfiokit runs as root, often through sudo with the caller's environment:
// a helper is looked up only in the system's own directories (never
// through $PATH, so a directory the caller controls cannot supply it) and
// runs with a minimal environment (PATH of those directories, LC_ALL=C),
// so nothing like MODPROBE_OPTIONS or a library path reaches it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// The directories helpers are taken from, in order.
inline constexpr const char* kToolDirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

// Where `tool` is: the first of kToolDirs holding an executable of that
// name; nullopt when none does.
std::optional<std::filesystem::path> find_tool(const std::string& tool);

// Runs argv[0] (a name, looked up with find_tool). Fails, naming
// `subject`, when the tool is missing, cannot be started or does not exit
// with status 0.
Result<void> run_tool(std::vector<std::string> argv, const std::string& subject);

// The same for a program given by its absolute path (whose trust is the
// caller's to check): argv[0] is passed to it as its name.
Result<void> run_program(const std::filesystem::path& program, std::vector<std::string> argv,
                         const std::string& subject);

}  // namespace vfiokit::host

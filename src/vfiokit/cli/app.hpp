// SPDX-License-Identifier: Apache-2.0
// The CLI's command model, whole: every command added to the CLI11 app,
// for main() to run and for the tools that read the model (the man pages,
// the shells' completion).
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "vfiokit/cli/commands/commands.hpp"

namespace vfiokit::cli {

// Adds every command to `app`; each runner runs its command when parsed.
std::vector<Runner> add_commands(CLI::App& app);

// `vfiokit __man DIR DATE`: writes vfiokit(1) and vfiokit-COMMAND(1) into
// DIR (usage/man_page.hpp).
int write_man_pages(const CLI::App& app, int argc, char** argv);

// `vfiokit __complete [--] WORD...`: the candidates for the last word of a
// command line (options/completion.hpp), one a line.
int complete(const CLI::App& app, int argc, char** argv);

}  // namespace vfiokit::cli

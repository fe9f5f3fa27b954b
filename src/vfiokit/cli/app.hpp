// SPDX-License-Identifier: Apache-2.0
// The CLI's command model, whole: every command added to the CLI11 app,
// for main() to run and for the tools that read the model (the man pages,
// the shells' completion).
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/cli/commands/commands.hpp"

namespace vfiokit::cli {

// One command: its name, as `vfiokit NAME` runs it, and what adds it.
struct CommandEntry {
  std::string_view name;
  Runner (*add)(CLI::App& app);
};
// Every command, in the order help lists them.
std::span<const CommandEntry> command_table();
std::vector<std::string> command_names();

// The word naming the command: the first that is not an option (vfiokit
// itself takes no option with a value); empty when there is none.
std::string_view command_word(int argc, char** argv);

// Adds every command to `app`; each runner runs its command when parsed.
std::vector<Runner> add_commands(CLI::App& app);
// Adds what this command line needs: only the command it names (a known
// one), and every command otherwise (help and a usage error list them; a
// bare `--version` never gets here, main answers it). The whole command model is most of what a
// run of vfiokit spends before its own work (1.8M instructions of CLI11
// for 21 commands); one command's options are a few percent of it.
std::vector<Runner> add_commands_for(CLI::App& app, int argc, char** argv);

// `vfiokit __man DIR DATE`: writes vfiokit(1) and vfiokit-COMMAND(1) into
// DIR (usage/man_page.hpp).
int write_man_pages(const CLI::App& app, int argc, char** argv);

// `vfiokit __complete [--] WORD...`: the candidates for the last word of a
// command line (options/completion.hpp), one a line.
int complete(const CLI::App& app, int argc, char** argv);

}  // namespace vfiokit::cli

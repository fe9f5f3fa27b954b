// SPDX-License-Identifier: Apache-2.0
// The man pages of the CLI, written from its command model: the same CLI11
// definitions `--help` prints, so a page cannot disagree with the program
// about a command's options. vfiokit(1) lists the commands; each command
// has vfiokit-COMMAND(1) with its synopsis, description (the command's
// description and footer), arguments, options (with their defaults and
// environment variables) and subcommands. The build writes them with the
// hidden `vfiokit __man DIR`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vfiokit::cli {

struct ManPage {
  std::string file_name;  // "vfiokit-bind.1"
  std::string text;       // man(7) source
};

// The subcommands people use: hidden ones (CLI11's empty group) are left
// out of the pages and of completion alike.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app);

std::vector<ManPage> man_pages(const CLI::App& app, std::string_view version, std::string_view date);

// Text made safe for man(7): backslashes and dashes escaped, and a line
// that would start with a control character ('.' or ') kept as text.
std::string roff_text(std::string_view text);

}  // namespace vfiokit::cli

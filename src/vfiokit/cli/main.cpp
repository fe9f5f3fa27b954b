// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "vfiokit/cli/app.hpp"
#include "vfiokit/cli/render/printable_streams.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/suggestion.hpp"
#include "vfiokit/host/change/execution_options.hpp"
#include "vfiokit/version.hpp"

namespace {

// Every command's name, help's too.
std::vector<std::string> all_command_names() {
  auto names = vfiokit::cli::command_names();
  names.emplace_back("help");
  return names;
}

// The first word that is not an option names the command; CLI11 alone would
// say only that a subcommand is required.
int refuse_unknown_command(int argc, char** argv) {
  const std::string word(vfiokit::cli::command_word(argc, argv));
  if (word.empty()) return -1;
  const auto names = all_command_names();
  if (std::find(names.begin(), names.end(), word) != names.end()) return -1;
  const auto nearest = vfiokit::cli::nearest_name(word, names);
  return vfiokit::cli::usage_error(nearest ? fmt::format("unknown command '{}'; did you mean {}?", word, *nearest)
                                           : fmt::format("unknown command '{}'; 'vfiokit help' lists them", word));
}

vfiokit::cli::Runner add_help_command(CLI::App& app) {
  auto topic = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("help", "Show help for vfiokit or for one command");
  cmd->add_option("COMMAND", *topic, "the command to explain");
  return [&app, cmd, topic]() -> int {
    if (!cmd->parsed()) return -1;
    if (topic->empty()) {
      // app.help() would describe the selected subcommand: this one.
      fmt::print("{}", app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal));
      return vfiokit::cli::kExitOk;
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      if (sub->get_name() == *topic) {
        fmt::print("{}", sub->help(app.get_name()));
        return vfiokit::cli::kExitOk;
      }
    const auto nearest = vfiokit::cli::nearest_name(*topic, all_command_names());
    return vfiokit::cli::usage_error(nearest ? fmt::format("no command '{}'; did you mean {}?", *topic, *nearest)
                                             : fmt::format("no command '{}'", *topic));
  };
}

}  // namespace

int main(int argc, char** argv) {
  const std::string version = std::string("vfiokit ") + vfiokit::kVersion +
                              (vfiokit::host::test_hooks_built() ? " (test build: fault injection on)" : "");
  // A bare --version is answered here: CLI11 reports it by throwing, and
  // the unwinder's first use touches pages of .eh_frame a run that throws
  // nothing never reads. Its text is the program's own, so it goes out
  // before the escaping streams are set up (~0.1 ms of its start).
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    fmt::print("{}\n", version);
    return vfiokit::cli::kExitOk;
  }
  vfiokit::cli::make_output_printable();
  CLI::App app{"vfiokit: see, prepare and use PCI devices for VFIO device assignment", "vfiokit"};
  app.set_version_flag("--version", version);
  app.require_subcommand(1);
  // Every error line starts "vfiokit:", CLI11's too.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("vfiokit: {}\nRun with --help for more information.\n", e.what());
  });
  // The hidden tools that read the command model itself: the man pages
  // the build installs, and the shells' completion.
  const bool whole_model =
      argc >= 2 && (std::string_view(argv[1]) == "__man" || std::string_view(argv[1]) == "__complete");
  if (!whole_model)
    if (const int refused = refuse_unknown_command(argc, argv); refused >= 0) return refused;
  std::vector<vfiokit::cli::Runner> runners =
      whole_model ? vfiokit::cli::add_commands(app) : vfiokit::cli::add_commands_for(app, argc, argv);
  runners.push_back(add_help_command(app));
  if (whole_model && std::string_view(argv[1]) == "__man") return vfiokit::cli::write_man_pages(app, argc, argv);
  if (whole_model) return vfiokit::cli::complete(app, argc, argv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help/version with exit code 0 and usage errors with
    // non-zero codes; usage errors are always 2 for vfiokit.
    const int code = app.exit(e);
    return code == 0 ? vfiokit::cli::kExitOk : vfiokit::cli::kExitUsage;
  }
  for (const auto& run : runners)
    if (int status = run(); status >= 0) return status;
  return vfiokit::cli::kExitUsage;
}

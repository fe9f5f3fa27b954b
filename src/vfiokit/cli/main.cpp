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

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// The first word that is not an option names the command; CLI11 alone would
// say only that a subcommand is required.
int refuse_unknown_command(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    const auto names = command_names(app);
    if (std::find(names.begin(), names.end(), word) != names.end()) return -1;
    const auto nearest = vfiokit::cli::nearest_name(word, names);
    return vfiokit::cli::usage_error(nearest ? fmt::format("unknown command '{}'; did you mean {}?", word, *nearest)
                                             : fmt::format("unknown command '{}'; 'vfiokit help' lists them", word));
  }
  return -1;
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
    const auto nearest = vfiokit::cli::nearest_name(*topic, command_names(app));
    return vfiokit::cli::usage_error(nearest ? fmt::format("no command '{}'; did you mean {}?", *topic, *nearest)
                                             : fmt::format("no command '{}'", *topic));
  };
}

}  // namespace

int main(int argc, char** argv) {
  vfiokit::cli::make_output_printable();
  CLI::App app{"vfiokit: see, prepare and use PCI devices for VFIO device assignment", "vfiokit"};
  app.set_version_flag("--version", std::string("vfiokit ") + vfiokit::kVersion +
                                        (vfiokit::host::test_hooks_built() ? " (test build: fault injection on)" : ""));
  app.require_subcommand(1);
  // Every error line starts "vfiokit:", CLI11's too.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("vfiokit: {}\nRun with --help for more information.\n", e.what());
  });
  std::vector<vfiokit::cli::Runner> runners = vfiokit::cli::add_commands(app);
  runners.push_back(add_help_command(app));
  // The hidden tools that read the command model itself: the man pages
  // the build installs, and the shells' completion.
  if (argc >= 2 && std::string_view(argv[1]) == "__man") return vfiokit::cli::write_man_pages(app, argc, argv);
  if (argc >= 2 && std::string_view(argv[1]) == "__complete") return vfiokit::cli::complete(app, argc, argv);

  if (const int refused = refuse_unknown_command(app, argc, argv); refused >= 0) return refused;
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

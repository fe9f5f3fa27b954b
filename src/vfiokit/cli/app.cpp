// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/app.hpp"

#include <fmt/format.h>

#include <fstream>

#include "vfiokit/cli/options/completion.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/man_page.hpp"
#include "vfiokit/version.hpp"

namespace vfiokit::cli {

std::span<const CommandEntry> command_table() {
  static constexpr CommandEntry kCommands[] = {
      {"decode", add_decode_command},
      {"show", add_show_command},
      {"list", add_list_command},
      {"groups", add_groups_command},
      {"explain", add_explain_command},
      {"snapshot", add_snapshot_command},
      {"probe", add_probe_command},
      {"bind", add_bind_command},
      {"release", add_release_command},
      {"recover", add_recover_command},
      {"status", add_status_command},
      {"virt-config", add_virt_config_command},
      {"rebar", add_rebar_command},
      {"power", add_power_command},
      {"mdev", add_mdev_command},
      {"migrate", add_migrate_command},
      {"up", add_up_command},
      {"down", add_down_command},
      {"profile", add_profile_command},
      {"libvirt-hook", add_libvirt_hook_command},
      {"proxmox-hook", add_proxmox_hook_command},
  };
  return kCommands;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& command : command_table()) names.emplace_back(command.name);
  return names;
}

std::string_view command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '\0' && argv[i][0] != '-') return argv[i];
  return {};
}

std::vector<Runner> add_commands(CLI::App& app) {
  std::vector<Runner> runners;
  for (const auto& command : command_table()) runners.push_back(command.add(app));
  return runners;
}

std::vector<Runner> add_commands_for(CLI::App& app, int argc, char** argv) {
  const std::string_view word = command_word(argc, argv);
  for (const auto& command : command_table())
    if (command.name == word) return {command.add(app)};
  return add_commands(app);
}

int write_man_pages(const CLI::App& app, int argc, char** argv) {
  if (argc != 4) return usage_error("__man DIR DATE: writes the man pages into DIR, dated DATE (YYYY-MM-DD)");
  const std::filesystem::path dir = argv[2];
  const std::string date = argv[3];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& page : man_pages(app, kVersion, date)) {
    std::ofstream out(dir / page.file_name, std::ios::binary | std::ios::trunc);
    out << page.text;
    if (!out.flush())
      return print_error(Error(Errc::io, (dir / page.file_name).string(), "cannot be written")), kExitFailure;
  }
  return kExitOk;
}

int complete(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> words;
  for (int i = 2; i < argc; ++i)
    if (i != 2 || std::string_view(argv[i]) != "--") words.emplace_back(argv[i]);
  for (const auto& candidate : completions(app, words)) fmt::print("{}\n", candidate);
  return kExitOk;
}

}  // namespace vfiokit::cli

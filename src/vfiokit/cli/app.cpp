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

std::vector<Runner> add_commands(CLI::App& app) {
  return {
      add_decode_command(app),       add_show_command(app),     add_list_command(app),    add_groups_command(app),
      add_explain_command(app),      add_snapshot_command(app), add_probe_command(app),   add_bind_command(app),
      add_release_command(app),      add_recover_command(app),  add_status_command(app),  add_virt_config_command(app),
      add_rebar_command(app),        add_power_command(app),    add_mdev_command(app),    add_migrate_command(app),
      add_up_command(app),           add_down_command(app),     add_profile_command(app), add_libvirt_hook_command(app),
      add_proxmox_hook_command(app),
  };
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

// SPDX-License-Identifier: Apache-2.0
// The subcommands of the vfiokit CLI. Each registers its options on the app
// and returns the process exit status when run:
//   0 success, 1 an error or a defect in what was read, 2 a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace vfiokit::cli {

using Runner = std::function<int()>;

Runner add_decode_command(CLI::App& app);
Runner add_show_command(CLI::App& app);
Runner add_list_command(CLI::App& app);
Runner add_groups_command(CLI::App& app);
Runner add_explain_command(CLI::App& app);
Runner add_snapshot_command(CLI::App& app);
Runner add_probe_command(CLI::App& app);
Runner add_bind_command(CLI::App& app);
Runner add_release_command(CLI::App& app);
Runner add_recover_command(CLI::App& app);
Runner add_status_command(CLI::App& app);
Runner add_virt_config_command(CLI::App& app);
Runner add_rebar_command(CLI::App& app);
Runner add_power_command(CLI::App& app);
Runner add_mdev_command(CLI::App& app);
Runner add_migrate_command(CLI::App& app);
Runner add_up_command(CLI::App& app);
Runner add_down_command(CLI::App& app);
Runner add_profile_command(CLI::App& app);
Runner add_libvirt_hook_command(CLI::App& app);
Runner add_proxmox_hook_command(CLI::App& app);

}  // namespace vfiokit::cli

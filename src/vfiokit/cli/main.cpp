#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/printable_streams.hpp"
#include "vfiokit/host/change/execution_options.hpp"
#include "vfiokit/version.hpp"

int main(int argc, char** argv) {
  vfiokit::cli::make_output_printable();
  CLI::App app{"vfiokit: see, prepare and use PCI devices for VFIO device assignment"};
  app.set_version_flag("--version", std::string("vfiokit ") + vfiokit::kVersion +
                                        (vfiokit::host::test_hooks_built() ? " (test build: fault injection on)" : ""));
  app.require_subcommand(1);
  std::vector<vfiokit::cli::Runner> runners = {
      vfiokit::cli::add_decode_command(app),  vfiokit::cli::add_show_command(app),
      vfiokit::cli::add_list_command(app),    vfiokit::cli::add_groups_command(app),
      vfiokit::cli::add_explain_command(app), vfiokit::cli::add_snapshot_command(app),
      vfiokit::cli::add_probe_command(app),   vfiokit::cli::add_bind_command(app),
      vfiokit::cli::add_release_command(app), vfiokit::cli::add_recover_command(app),
      vfiokit::cli::add_status_command(app),  vfiokit::cli::add_virt_config_command(app),
      vfiokit::cli::add_rebar_command(app),   vfiokit::cli::add_power_command(app),
      vfiokit::cli::add_mdev_command(app),    vfiokit::cli::add_migrate_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help/version with exit code 0 and usage errors with
    // non-zero codes; usage errors are always 2 for vfiokit.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (const auto& run : runners)
    if (int status = run(); status >= 0) return status;
  return 2;
}

// SPDX-License-Identifier: Apache-2.0
// `vfiokit proxmox-hook VMID PHASE`: a Proxmox VE hookscript (`qm set VMID
// --hookscript local:snippets/vfiokit`, which runs the script with the
// guest's ID and the phase). A failing pre-start (non-zero status) makes
// Proxmox abort the guest's start, with what the script wrote.
//   pre-start   the guest's profile up: PROFILES_DIR/proxmox-VMID.toml when
//               there is one, else one made from the `hostpciN` lines of
//               CONFIG_DIR/VMID.conf (their whole groups, named proxmox-VMID)
//   post-stop   that profile down
// The other phases (post-start, pre-stop), and a guest with no hostpci,
// are nothing to do.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/commands/profile_actions.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/host/profile/proxmox_config.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

namespace {

inline constexpr const char* kDefaultConfigDir = "/etc/pve/qemu-server";

struct ProxmoxOptions {
  std::string vmid, phase;
  std::string config_dir = kDefaultConfigDir;
  std::string profiles_dir = kDefaultProfilesDir;
  ChangeRoot where;
};

// Each HOSTPCIID as functions of this host: a slot without a function is
// every function the host has in it, as Proxmox passes them.
Result<std::vector<pci::Bdf>> hostpci_functions(const std::vector<host::ProxmoxHostpci>& ids, const ChangeRoot& where,
                                                const std::string& source) {
  auto root = open_change_root(where);
  if (!root) return fail(root.error());
  const host::HostView view = host::read_host(*root);
  std::vector<pci::Bdf> out;
  for (const auto& id : ids) {
    bool found = false;
    for (const auto& f : view.functions) {
      if (f.bdf.domain() != id.domain || f.bdf.bus() != id.bus || f.bdf.device() != id.device ||
          (id.function && f.bdf.function() != *id.function))
        continue;
      found = true;
      if (std::find(out.begin(), out.end(), f.bdf) == out.end()) out.push_back(f.bdf);
    }
    if (!found)
      return fail(Errc::not_found, fmt::format("{}:{}", source, id.line),
                  fmt::format("{} names {:04x}:{:02x}:{:02x}{}, which is not on this host", id.key, id.domain, id.bus,
                              id.device, id.function ? fmt::format(".{}", *id.function) : std::string()));
  }
  return out;
}

int run_proxmox_hook(const ProxmoxOptions& o) {
  if (auto ok = host::check_proxmox_vmid(o.vmid); !ok) return print_error(ok.error()), kExitUsage;
  const bool up = o.phase == "pre-start";
  const bool down = o.phase == "post-stop";
  if (!up && !down) return kExitOk;
  const std::string name = "proxmox-" + o.vmid;
  const auto profile_file = std::filesystem::path(o.profiles_dir) / (name + ".toml");
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(profile_file, ec))) {
    auto profile = host::read_profile(profile_file);
    if (!profile) return print_error(profile.error()), kExitFailure;
    return up ? up_profile(*profile, o.where, false, false) : down_profile(profile->name, o.where, false);
  }
  if (down) return down_profile(name, o.where, false);
  const auto config = std::filesystem::path(o.config_dir) / (o.vmid + ".conf");
  auto text = host::read_regular_file(config, host::kProxmoxConfigLimit, "a Proxmox guest configuration");
  if (!text) return print_error(text.error()), kExitFailure;
  if (!*text) return print_error(Error(Errc::not_found, config.string(), "no such guest configuration")), kExitFailure;
  auto ids = host::parse_proxmox_hostpci(**text, config.string());
  if (!ids) return print_error(ids.error()), kExitFailure;
  if (ids->empty()) return kExitOk;
  auto functions = hostpci_functions(*ids, o.where, config.string());
  if (!functions) return print_error(functions.error()), kExitFailure;
  return up_functions(name, *functions, o.where);
}

}  // namespace

Runner add_proxmox_hook_command(CLI::App& app) {
  auto o = std::make_shared<ProxmoxOptions>();
  CLI::App* cmd = app.add_subcommand("proxmox-hook",
                                     "A Proxmox VE hookscript: a guest's profile up at pre-start, down at post-stop");
  cmd->add_option("VMID", o->vmid, "the guest's ID, as Proxmox passes it")->required();
  cmd->add_option("PHASE", o->phase, "pre-start, post-start, pre-stop or post-stop")->required();
  cmd->add_option("--config-dir", o->config_dir,
                  fmt::format("where the guests' VMID.conf files are (default {})", kDefaultConfigDir));
  cmd->add_option("--profiles-dir", o->profiles_dir,
                  fmt::format("where a guest's proxmox-VMID.toml profile may be (default {})", kDefaultProfilesDir));
  add_change_root_options(cmd, o->where);
  return [cmd, o] { return cmd->parsed() ? run_proxmox_hook(*o) : -1; };
}

}  // namespace vfiokit::cli

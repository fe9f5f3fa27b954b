// SPDX-License-Identifier: Apache-2.0
// vfiokit-device-plugin: a kubelet device plugin (API v1beta1) that hands
// out whole, viable IOMMU groups. See docs/kubernetes.md.
#include <fmt/format.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/base/unique_fd.hpp"
#include "vfiokit/deviceplugin/daemon/plugin_daemon.hpp"
#include "vfiokit/deviceplugin/events/kubelet_dir_watch.hpp"
#include "vfiokit/host/binding/persistence.hpp"
#include "vfiokit/host/sysfs/source.hpp"
#include "vfiokit/version.hpp"

namespace {

using namespace vfiokit;
using namespace vfiokit::deviceplugin;

constexpr const char* kDefaultConfig = "/etc/vfiokit/device-plugin.toml";

// One line per event on stderr, which the container runtime keeps: a UTC
// time, and every byte from outside (names from the tree) escaped.
void log_line(const std::string& line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  fmt::print(stderr, "{}.{:03}Z {}\n", stamp, ms, printable(line));
  std::fflush(stderr);
}

// The vfiokit that binds groups: the one installed beside this program.
std::filesystem::path sibling_vfiokit() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("/usr/bin/vfiokit") : self.parent_path() / "vfiokit";
}

int fail_with(const Error& e) {
  fmt::print(stderr, "vfiokit-device-plugin: {}\n", printable(e.describe()));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A kubelet device plugin that hands out whole IOMMU groups bound to vfio-pci"};
  std::string config_path = kDefaultConfig, plugin_dir = kDefaultDevicePluginDir, sysfs_root, simulate, program;
  bool check = false, version = false;
  app.add_option("--config", config_path, fmt::format("the configuration file (default {})", kDefaultConfig));
  app.add_option("--device-plugin-dir", plugin_dir,
                 fmt::format("the kubelet's device-plugins directory (default {})", kDefaultDevicePluginDir));
  auto* root_opt = app.add_option("--sysfs-root", sysfs_root, "read a sysfs tree on disk instead of /sys (a snapshot)");
  app.add_option("--simulate", simulate, "serve a simulated host (`vfiokit bind --simulate` acts on the same tree)")
      ->excludes(root_opt);
  app.add_option("--vfiokit", program, "the vfiokit that binds groups (default: the one beside this program)");
  app.add_flag("--check", check, "print what would be advertised, and exit");
  app.add_flag("--version", version, "print the version and exit");
  app.footer(
      "Each configured resource (vfiokit.io/gpu = vendor:device selectors or a passthrough profile) is served\n"
      "on its own socket in the kubelet's device-plugins directory and registered with the kubelet. A device\n"
      "is one IOMMU group; it is Healthy while every endpoint in it is on vfio-pci, and the kubelet hears of\n"
      "every change at once (kernel uevents). Allocate hands a container /dev/vfio/vfio and /dev/vfio/N (or\n"
      "/dev/iommu and the cdevs) and PCI_RESOURCE_<NAME> with the addresses, as KubeVirt reads them.\n"
      "\n"
      "  vfiokit-device-plugin --check\n"
      "  vfiokit-device-plugin --config /etc/vfiokit/device-plugin.toml\n");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    fmt::print("vfiokit-device-plugin {}\n", kVersion);
    return 0;
  }
  auto config = read_plugin_config(config_path);
  if (!config) return fail_with(config.error());

  DaemonOptions options;
  options.config = std::move(*config);
  options.plugin_dir = std::filesystem::absolute(plugin_dir);  // gRPC takes unix:// paths as absolute
  options.simulate = simulate;
  // A tree handed over (--sysfs-root, --simulate) is read confined to it
  // for the plugin's whole life, as every read-only command reads one.
  std::optional<host::SysfsSource> source;
  if (!simulate.empty() || !sysfs_root.empty()) {
    auto opened = host::SysfsSource::open(!simulate.empty() ? simulate : sysfs_root);
    if (!opened) return fail_with(opened.error());
    source.emplace(std::move(*opened));
  }
  options.root = source ? source->root() : host::SysfsRoot("/sys");
  if (!check) options.log = log_line;  // --check prints the list once, on stdout
  const bool binds = std::any_of(options.config.resources.begin(), options.config.resources.end(),
                                 [](const auto& r) { return r.bind; });
  if (binds && !check) {
    if (!sysfs_root.empty())
      return fail_with(Error(Errc::invalid_argument, "--sysfs-root", "a snapshot cannot be bound: use --simulate"));
    auto trusted = host::trusted_program(program.empty() ? sibling_vfiokit() : std::filesystem::path(program));
    if (!trusted) return fail_with(trusted.error());
    options.vfiokit_program = *trusted;
  }
  if (check)  // nothing is bound or served
    for (auto& r : options.config.resources) r.bind = false;

  // SIGTERM (the kubelet's pod stop) and SIGINT end the loop through a
  // signalfd, so no handler runs in the middle of a gRPC call.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before gRPC starts its threads
  UniqueFd stop(::signalfd(-1, &stop_signals, SFD_CLOEXEC));
  if (!stop.valid()) return fail_with(Error::from_errno(errno, "signalfd", "cannot be created"));

  // A socket is the kubelet's (root's) alone from the moment it exists,
  // not only after its chmod: nothing the plugin creates is for others.
  ::umask(077);
  auto daemon = PluginDaemon::prepare(std::move(options));
  if (!daemon) return fail_with(daemon.error());
  if (check) {
    for (const auto& line : (*daemon)->describe()) fmt::print("{}\n", printable(line));
    return 0;
  }
  for (const auto& line : (*daemon)->describe()) log_line(line);
  if (auto ok = (*daemon)->run(stop.get()); !ok) return fail_with(ok.error());
  log_line("stopping: the sockets are removed");
  return 0;
}

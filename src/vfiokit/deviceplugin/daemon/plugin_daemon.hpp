// SPDX-License-Identifier: Apache-2.0
// vfiokit-device-plugin's life: read the host, bind what the configuration
// asks to bind, serve one socket per resource and register each with the
// kubelet; then wait, without polling, for the host to change (health goes
// to the kubelet at once) and for the kubelet to restart (serve and
// register again), until told to stop.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"
#include "vfiokit/deviceplugin/inventory/device_board.hpp"
#include "vfiokit/deviceplugin/inventory/resource_devices.hpp"
#include "vfiokit/deviceplugin/service/plugin_server.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::deviceplugin {

struct DaemonOptions {
  PluginConfig config;
  host::SysfsRoot root{"/sys"};
  std::string simulate;  // the simulated host `vfiokit bind --simulate` acts on; "" for the live one
  std::filesystem::path plugin_dir = "/var/lib/kubelet/device-plugins";
  std::filesystem::path vfiokit_program;  // what binds groups (bind = true)
  std::function<void(const std::string&)> log;
};

class PluginDaemon {
 public:
  // Reads the host and binds what is to be bound: everything before the
  // first socket exists, so the first list the kubelet gets is the truth.
  static Result<std::unique_ptr<PluginDaemon>> prepare(DaemonOptions options);
  ~PluginDaemon();

  // Serves until `stop_fd` is readable (a signalfd, an eventfd).
  Result<void> run(int stop_fd);

  const std::vector<std::unique_ptr<DeviceBoard>>& boards() const { return boards_; }
  // What --check prints: every resource, its devices and what was left out.
  std::vector<std::string> describe() const;

 private:
  explicit PluginDaemon(DaemonOptions options) : options_(std::move(options)) {}
  Result<std::vector<ResourceDevices>> read_devices() const;
  void publish(std::vector<ResourceDevices> found, bool keep_vanished);
  void refresh_health();
  Result<void> serve_and_register();
  void log(const std::string& line) const;

  DaemonOptions options_;
  std::vector<std::unique_ptr<DeviceBoard>> boards_;
  std::vector<std::vector<std::string>> notes_;
  std::vector<std::unique_ptr<PluginServer>> servers_;
};

}  // namespace vfiokit::deviceplugin

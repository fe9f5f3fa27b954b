// SPDX-License-Identifier: Apache-2.0
// One resource's devices as the kubelet is told them, shared between the
// daemon's loop (which publishes what it reads from the host) and the
// gRPC handlers (ListAndWatch streams wait here for the next change).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"
#include "vfiokit/deviceplugin/inventory/plugin_device.hpp"

namespace vfiokit::deviceplugin {

class DeviceBoard {
 public:
  explicit DeviceBoard(ResourceConfig config) : config_(std::move(config)) {}
  const ResourceConfig& config() const { return config_; }

  struct Snapshot {
    uint64_t generation = 0;
    std::vector<PluginDevice> devices;  // by ID
  };
  // Replaces the list; the generation moves (and waiters wake) only when
  // the kubelet would see a difference. Returns whether it did.
  bool publish(std::vector<PluginDevice> devices);
  Snapshot snapshot() const;
  // The list once its generation differs from `seen`; nullopt after
  // `timeout` or once the board is closed.
  std::optional<Snapshot> wait_for_change(uint64_t seen, std::chrono::milliseconds timeout) const;
  // Wakes every waiter for good: the server is going away.
  void close();
  bool closed() const;

 private:
  const ResourceConfig config_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Snapshot current_;
  bool closed_ = false;
};

}  // namespace vfiokit::deviceplugin

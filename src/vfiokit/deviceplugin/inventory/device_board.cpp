// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/device_board.hpp"

#include <algorithm>

namespace vfiokit::deviceplugin {

bool DeviceBoard::publish(std::vector<PluginDevice> devices) {
  std::lock_guard lock(mutex_);
  const bool same = devices.size() == current_.devices.size() &&
                    std::equal(devices.begin(), devices.end(), current_.devices.begin(),
                               [](const auto& a, const auto& b) { return a.same_for_kubelet(b); });
  // The reasons and functions are kept fresh even when the kubelet sees
  // no change (Allocate reads them).
  current_.devices = std::move(devices);
  if (same && current_.generation != 0) return false;
  ++current_.generation;
  changed_.notify_all();
  return true;
}

DeviceBoard::Snapshot DeviceBoard::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<DeviceBoard::Snapshot> DeviceBoard::wait_for_change(uint64_t seen,
                                                                  std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return closed_ || current_.generation != seen; })) return std::nullopt;
  if (closed_) return std::nullopt;
  return current_;
}

void DeviceBoard::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool DeviceBoard::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace vfiokit::deviceplugin

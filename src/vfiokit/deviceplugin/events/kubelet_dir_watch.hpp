// SPDX-License-Identifier: Apache-2.0
// The kubelet's device-plugins directory, watched with inotify. When the
// kubelet starts it removes every socket there and creates kubelet.sock
// anew (pkg/kubelet/cm/devicemanager: a restarted kubelet forgets every
// plugin); the API asks a plugin to notice, serve again on a new socket
// and register again. Its own socket vanishing says the same.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/unique_fd.hpp"

namespace vfiokit::deviceplugin {

inline constexpr const char* kKubeletSocket = "kubelet.sock";
inline constexpr const char* kDefaultDevicePluginDir = "/var/lib/kubelet/device-plugins";

struct KubeletDirEvents {
  bool kubelet_started = false;  // kubelet.sock was created
  bool socket_removed = false;   // a socket of ours was removed
};

class KubeletDirWatch {
 public:
  // `ours` tells the plugin's own socket names from others'.
  static Result<std::unique_ptr<KubeletDirWatch>> open(const std::filesystem::path& dir,
                                                       std::function<bool(const std::string&)> ours);
  int fd() const { return fd_.get(); }
  Result<KubeletDirEvents> drain();

 private:
  KubeletDirWatch(UniqueFd fd, std::function<bool(const std::string&)> ours)
      : fd_(std::move(fd)), ours_(std::move(ours)) {}
  UniqueFd fd_;
  std::function<bool(const std::string&)> ours_;
};

}  // namespace vfiokit::deviceplugin

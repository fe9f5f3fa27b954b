// SPDX-License-Identifier: Apache-2.0
// One resource's gRPC server on its unix socket in the kubelet's
// device-plugins directory, and its registration with the kubelet
// (Registration.Register on kubelet.sock). The API's order: serve first,
// then register, since the kubelet calls back at once.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "vfiokit/deviceplugin/inventory/device_board.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace grpc {
class Server;
}

namespace vfiokit::deviceplugin {

class DevicePluginService;

inline constexpr const char* kApiVersion = "v1beta1";

// The socket name of a resource: "vfiokit-vfiokit.io_gpu.sock".
std::string endpoint_for(const std::string& resource_name);

class PluginServer {
 public:
  // Serves `board` on DIR/ENDPOINT. A socket left there by an earlier run
  // is replaced; anything else of that name is refused, not removed.
  static Result<std::unique_ptr<PluginServer>> start(const std::filesystem::path& dir, const DeviceBoard& board,
                                                     host::SysfsRoot root);
  ~PluginServer();  // ends every stream, stops serving, removes the socket
  PluginServer(const PluginServer&) = delete;
  PluginServer& operator=(const PluginServer&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& resource() const { return resource_; }
  // Registration.Register on DIR/kubelet.sock. Errc::not_found when no
  // kubelet answers there (it may start later); invalid_argument when the
  // kubelet refused (a resource name another plugin has, an API version
  // it does not speak), which waiting does not mend.
  Result<void> register_with_kubelet() const;

 private:
  PluginServer() = default;
  std::filesystem::path dir_;
  std::string endpoint_, resource_;
  std::unique_ptr<DevicePluginService> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace vfiokit::deviceplugin

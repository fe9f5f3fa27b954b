// SPDX-License-Identifier: Apache-2.0
// The DevicePlugin service of one resource, as the kubelet calls it on the
// plugin's socket: the answers come from its DeviceBoard and, for what
// must be true at the moment of asking (Allocate, PreStartContainer), from
// the tree itself (inventory/allocation).
#pragma once

#include <atomic>

#include "deviceplugin_v1beta1.grpc.pb.h"
#include "vfiokit/deviceplugin/inventory/device_board.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::deviceplugin {

class DevicePluginService final : public v1beta1::DevicePlugin::Service {
 public:
  DevicePluginService(const DeviceBoard& board, host::SysfsRoot root) : board_(board), root_(std::move(root)) {}

  // What the plugin registers with and answers GetDevicePluginOptions with:
  // PreStartContainer checks each group again before its container starts,
  // and GetPreferredAllocation keeps a pod's devices on one NUMA node.
  static v1beta1::DevicePluginOptions options();

  grpc::Status GetDevicePluginOptions(grpc::ServerContext*, const v1beta1::Empty*,
                                      v1beta1::DevicePluginOptions* out) override;
  grpc::Status ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty*,
                            grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) override;
  grpc::Status GetPreferredAllocation(grpc::ServerContext*, const v1beta1::PreferredAllocationRequest* request,
                                      v1beta1::PreferredAllocationResponse* out) override;
  grpc::Status Allocate(grpc::ServerContext*, const v1beta1::AllocateRequest* request,
                        v1beta1::AllocateResponse* out) override;
  grpc::Status PreStartContainer(grpc::ServerContext*, const v1beta1::PreStartContainerRequest* request,
                                 v1beta1::PreStartContainerResponse* out) override;

  // Ends every ListAndWatch stream (within one wait): the server goes away.
  void stop() { stopping_ = true; }

 private:
  const DeviceBoard& board_;
  const host::SysfsRoot root_;
  std::atomic<bool> stopping_{false};
};

// The answer ListAndWatch sends for a list of devices.
v1beta1::ListAndWatchResponse list_response(const std::vector<PluginDevice>& devices);

}  // namespace vfiokit::deviceplugin

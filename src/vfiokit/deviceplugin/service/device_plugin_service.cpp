// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/service/device_plugin_service.hpp"

#include "vfiokit/deviceplugin/inventory/allocation.hpp"

namespace vfiokit::deviceplugin {

namespace {

// How long a ListAndWatch stream waits before it looks whether the kubelet
// has gone (a cancelled call) or the server is stopping; a change wakes it
// at once.
constexpr std::chrono::milliseconds kStreamCheck{100};

grpc::Status status_of(const Error& e) {
  const grpc::StatusCode code = e.code() == Errc::invalid_argument ? grpc::StatusCode::INVALID_ARGUMENT
                                : e.code() == Errc::unsupported    ? grpc::StatusCode::FAILED_PRECONDITION
                                                                   : grpc::StatusCode::INTERNAL;
  return grpc::Status(code, e.describe());
}

std::vector<std::string> ids_of(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  return {ids.begin(), ids.end()};
}

}  // namespace

v1beta1::ListAndWatchResponse list_response(const std::vector<PluginDevice>& devices) {
  v1beta1::ListAndWatchResponse out;
  out.mutable_devices()->Reserve(static_cast<int>(devices.size()));
  for (const auto& d : devices) {
    v1beta1::Device* dev = out.add_devices();
    dev->set_id(d.id);
    dev->set_health(d.healthy ? kHealthy : kUnhealthy);
    if (!d.numa_nodes.empty())
      for (int64_t n : d.numa_nodes) dev->mutable_topology()->add_nodes()->set_id(n);
  }
  return out;
}

v1beta1::DevicePluginOptions DevicePluginService::options() {
  v1beta1::DevicePluginOptions o;
  o.set_pre_start_required(true);
  o.set_get_preferred_allocation_available(true);
  return o;
}

grpc::Status DevicePluginService::GetDevicePluginOptions(grpc::ServerContext*, const v1beta1::Empty*,
                                                         v1beta1::DevicePluginOptions* out) {
  *out = options();
  return grpc::Status::OK;
}

grpc::Status DevicePluginService::ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty*,
                                               grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) {
  DeviceBoard::Snapshot now = board_.snapshot();
  if (!writer->Write(list_response(now.devices))) return grpc::Status::CANCELLED;
  uint64_t seen = now.generation;
  while (!stopping_ && !context->IsCancelled()) {
    auto next = board_.wait_for_change(seen, kStreamCheck);
    if (!next) {
      if (board_.closed()) break;
      continue;
    }
    seen = next->generation;
    if (!writer->Write(list_response(next->devices))) return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

grpc::Status DevicePluginService::GetPreferredAllocation(grpc::ServerContext*,
                                                         const v1beta1::PreferredAllocationRequest* request,
                                                         v1beta1::PreferredAllocationResponse* out) {
  const auto devices = board_.snapshot().devices;
  for (const auto& c : request->container_requests()) {
    auto chosen = preferred_allocation(devices, ids_of(c.available_deviceids()), ids_of(c.must_include_deviceids()),
                                       c.allocation_size());
    if (!chosen) return status_of(chosen.error());
    auto* r = out->add_container_responses();
    for (const auto& id : *chosen) r->add_deviceids(id);
  }
  return grpc::Status::OK;
}

grpc::Status DevicePluginService::Allocate(grpc::ServerContext*, const v1beta1::AllocateRequest* request,
                                           v1beta1::AllocateResponse* out) {
  if (request->container_requests().empty())
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request: names no container");
  const auto devices = board_.snapshot().devices;
  for (const auto& c : request->container_requests()) {
    auto a = allocate(root_, board_.config(), devices, ids_of(c.devices_ids()));
    if (!a) return status_of(a.error());
    auto* r = out->add_container_responses();
    for (const auto& node : a->device_nodes) {
      auto* spec = r->add_devices();
      spec->set_host_path(node);
      spec->set_container_path(node);
      spec->set_permissions("rw");
    }
    for (const auto& [k, v] : a->envs) (*r->mutable_envs())[k] = v;
  }
  return grpc::Status::OK;
}

grpc::Status DevicePluginService::PreStartContainer(grpc::ServerContext*,
                                                    const v1beta1::PreStartContainerRequest* request,
                                                    v1beta1::PreStartContainerResponse*) {
  if (auto ok = check_ready(root_, board_.snapshot().devices, ids_of(request->devices_ids())); !ok)
    return status_of(ok.error());
  return grpc::Status::OK;
}

}  // namespace vfiokit::deviceplugin

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/service/plugin_server.hpp"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vfiokit/deviceplugin/events/kubelet_dir_watch.hpp"
#include "vfiokit/deviceplugin/service/device_plugin_service.hpp"

namespace vfiokit::deviceplugin {

namespace {

// How long Register may take: the kubelet answers at once or not at all.
constexpr auto kRegisterDeadline = std::chrono::seconds(5);
// How long a stopping server waits for calls in flight.
constexpr auto kShutdownGrace = std::chrono::milliseconds(500);

Result<void> remove_stale_socket(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  if (!S_ISSOCK(st.st_mode))
    return fail(Errc::invalid_argument, path.string(),
                "exists and is not a socket: it is left alone, and not served on");
  if (::unlink(path.c_str()) != 0) return fail(Error::from_errno(errno, path.string(), "cannot remove the old socket"));
  return {};
}

}  // namespace

std::string endpoint_for(const std::string& resource_name) {
  std::string out = "vfiokit-";
  for (char c : resource_name) out += c == '/' ? '_' : c;
  return out + ".sock";
}

Result<std::unique_ptr<PluginServer>> PluginServer::start(const std::filesystem::path& dir, const DeviceBoard& board,
                                                          host::SysfsRoot root) {
  std::unique_ptr<PluginServer> s(new PluginServer());
  s->dir_ = std::filesystem::absolute(dir);  // gRPC reads unix://ALL-AFTER as the path
  s->resource_ = board.config().name;
  s->endpoint_ = endpoint_for(s->resource_);
  const auto path = dir / s->endpoint_;
  if (path.string().size() >= sizeof(sockaddr_un::sun_path))
    return fail(Errc::invalid_argument, path.string(), "is too long for a unix socket's address");
  if (auto ok = remove_stale_socket(path); !ok) return fail(ok.error());
  s->service_ = std::make_unique<DevicePluginService>(board, std::move(root));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("unix://" + path.string(), grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(s->service_.get());
  s->server_ = builder.BuildAndStart();
  if (!s->server_) return fail(Errc::io, path.string(), "the gRPC server could not listen there");
  // Only the kubelet (root) talks to the plugin.
  ::chmod(path.c_str(), 0600);
  return s;
}

PluginServer::~PluginServer() {
  if (service_) service_->stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  const auto path = dir_ / endpoint_;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

Result<void> PluginServer::register_with_kubelet() const {
  const auto kubelet = dir_ / kKubeletSocket;
  auto channel = grpc::CreateChannel("unix://" + kubelet.string(), grpc::InsecureChannelCredentials());
  auto stub = v1beta1::Registration::NewStub(channel);
  v1beta1::RegisterRequest request;
  request.set_version(kApiVersion);
  request.set_endpoint(endpoint_);
  request.set_resource_name(resource_);
  *request.mutable_options() = DevicePluginService::options();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRegisterDeadline);
  v1beta1::Empty reply;
  const grpc::Status status = stub->Register(&context, request, &reply);
  if (status.ok()) return {};
  const std::string what = fmt::format("registering {} ({})", resource_, endpoint_);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
    return fail(Errc::not_found, what,
                fmt::format("no kubelet answers on {}: {}", kubelet.string(), status.error_message()));
  return fail(Errc::invalid_argument, what, fmt::format("the kubelet refused: {}", status.error_message()));
}

}  // namespace vfiokit::deviceplugin

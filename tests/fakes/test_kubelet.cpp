// SPDX-License-Identifier: Apache-2.0
#include "fakes/test_kubelet.hpp"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

namespace vfiokit::testing {

class TestKubelet::Registration final : public v1beta1::Registration::Service {
 public:
  explicit Registration(std::filesystem::path dir) : dir_(std::move(dir)) {}

  grpc::Status Register(grpc::ServerContext*, const v1beta1::RegisterRequest* request, v1beta1::Empty*) override {
    // What the kubelet checks (pkg/kubelet/cm/devicemanager/plugin/v1beta1):
    // a version it speaks, a name it accepts, a socket it can dial.
    if (request->version() != "v1beta1")
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unsupported API version " + request->version());
    {
      std::lock_guard lock(mutex_);
      if (refused_.count(request->resource_name()))
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "resource name is taken by another plugin");
    }
    struct stat st {};
    if (request->endpoint().find('/') != std::string::npos || ::stat((dir_ / request->endpoint()).c_str(), &st) != 0 ||
        !S_ISSOCK(st.st_mode))
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no socket at endpoint " + request->endpoint());
    std::lock_guard lock(mutex_);
    registrations_.push_back(*request);
    changed_.notify_all();
    return grpc::Status::OK;
  }

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<v1beta1::RegisterRequest> registrations_;
  std::set<std::string> refused_;
};

TestKubelet::TestKubelet(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  service_ = std::make_unique<Registration>(dir_);
  serve();
}

TestKubelet::~TestKubelet() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
}

void TestKubelet::serve() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix://" + (dir_ / "kubelet.sock").string(), grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
}

void TestKubelet::restart() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_.reset();
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) std::filesystem::remove(e.path());
  }
  serve();
}

void TestKubelet::refuse(const std::string& resource_name) {
  std::lock_guard lock(service_->mutex_);
  service_->refused_.insert(resource_name);
}

std::vector<v1beta1::RegisterRequest> TestKubelet::registrations() const {
  std::lock_guard lock(service_->mutex_);
  return service_->registrations_;
}

bool TestKubelet::wait_for_registrations(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(service_->mutex_);
  return service_->changed_.wait_for(lock, timeout, [&] { return service_->registrations_.size() >= n; });
}

std::unique_ptr<v1beta1::DevicePlugin::Stub> TestKubelet::plugin(const std::string& endpoint) const {
  return v1beta1::DevicePlugin::NewStub(
      grpc::CreateChannel("unix://" + (dir_ / endpoint).string(), grpc::InsecureChannelCredentials()));
}

DeviceWatch::DeviceWatch(v1beta1::DevicePlugin::Stub& plugin, OnList on_list) : on_list_(std::move(on_list)) {
  reader_ = plugin.ListAndWatch(&context_, v1beta1::Empty());
  thread_ = std::thread([this] {
    v1beta1::ListAndWatchResponse list;
    while (reader_->Read(&list)) {
      if (on_list_) on_list_(list);
      std::lock_guard lock(mutex_);
      lists_.push_back(list);
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  });
}

DeviceWatch::~DeviceWatch() {
  context_.TryCancel();
  thread_.join();
}

bool DeviceWatch::wait_for(const Predicate& pred, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return !lists_.empty() && pred(lists_.back()); });
}

std::vector<v1beta1::ListAndWatchResponse> DeviceWatch::lists() const {
  std::lock_guard lock(mutex_);
  return lists_;
}

bool DeviceWatch::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

std::string health_of(const v1beta1::ListAndWatchResponse& list, const std::string& id) {
  for (const auto& d : list.devices())
    if (d.id() == id) return d.health();
  return "";
}

}  // namespace vfiokit::testing

// SPDX-License-Identifier: Apache-2.0
// A kubelet for the device plugin's tests, built from the same .proto as
// the plugin and speaking real gRPC over unix sockets: it serves
// Registration on DIR/kubelet.sock as the kubelet does, records what
// registers, and calls the plugin back on its socket. restart() does what
// a kubelet's start does to the directory: every socket removed, then
// kubelet.sock created anew.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "deviceplugin_v1beta1.grpc.pb.h"

namespace vfiokit::testing {

class TestKubelet {
 public:
  explicit TestKubelet(std::filesystem::path dir);
  ~TestKubelet();

  void restart();
  // Register answers INVALID_ARGUMENT for these names, as a kubelet does
  // for a resource another plugin has.
  void refuse(const std::string& resource_name);

  std::vector<v1beta1::RegisterRequest> registrations() const;
  // Waits until `n` registrations in all have arrived.
  bool wait_for_registrations(size_t n, std::chrono::milliseconds timeout) const;
  // A stub on the plugin's socket DIR/ENDPOINT.
  std::unique_ptr<v1beta1::DevicePlugin::Stub> plugin(const std::string& endpoint) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  class Registration;
  void serve();
  std::filesystem::path dir_;
  std::unique_ptr<Registration> service_;
  std::unique_ptr<grpc::Server> server_;
};

// A ListAndWatch stream, read on a thread of its own: every list the
// plugin sends is kept.
class DeviceWatch {
 public:
  using OnList = std::function<void(const v1beta1::ListAndWatchResponse&)>;
  // `on_list` (if any) runs on the reading thread for every list, as it comes.
  explicit DeviceWatch(v1beta1::DevicePlugin::Stub& plugin, OnList on_list = {});
  ~DeviceWatch();  // cancels the stream

  using Predicate = std::function<bool(const v1beta1::ListAndWatchResponse&)>;
  // Waits until the latest list satisfies `pred`; false after `timeout`.
  bool wait_for(const Predicate& pred, std::chrono::milliseconds timeout) const;
  std::vector<v1beta1::ListAndWatchResponse> lists() const;
  bool ended() const;  // the plugin closed the stream

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1beta1::ListAndWatchResponse>> reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<v1beta1::ListAndWatchResponse> lists_;
  bool ended_ = false;
  OnList on_list_;
  std::thread thread_;
};

// The health of device `id` in a list ("" when it is not listed).
std::string health_of(const v1beta1::ListAndWatchResponse& list, const std::string& id);

}  // namespace vfiokit::testing

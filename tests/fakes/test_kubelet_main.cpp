// SPDX-License-Identifier: Apache-2.0
// vfiokit-test-kubelet: the test kubelet (fakes/test_kubelet) as a program,
// for the lab's guests, where the plugin runs against a real kernel.
//
//   vfiokit-test-kubelet serve DIR LOG
//       serves DIR/kubelet.sock; every plugin that registers is watched
//       (ListAndWatch), and each list it sends is a line of LOG:
//       "MS RESOURCE ID=HEALTH ..." (MS: CLOCK_REALTIME in milliseconds)
//   vfiokit-test-kubelet allocate DIR ENDPOINT ID[,ID...] [--open]
//       calls Allocate and prints each device node and variable; with
//       --open, opens every device node read-write as a container would
//   vfiokit-test-kubelet now
//       prints the clock LOG's lines use (busybox date has no milliseconds)
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "fakes/test_kubelet.hpp"

namespace {

using vfiokit::testing::DeviceWatch;
using vfiokit::testing::TestKubelet;

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int serve(const std::string& dir, const std::string& log_path) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  TestKubelet kubelet(dir);
  std::mutex log_mutex;
  std::ofstream log(log_path, std::ios::app);
  std::vector<std::unique_ptr<v1beta1::DevicePlugin::Stub>> stubs;
  std::vector<std::unique_ptr<DeviceWatch>> watches;
  std::thread watcher([&] {
    for (size_t seen = 0;; ++seen) {
      while (!kubelet.wait_for_registrations(seen + 1, std::chrono::milliseconds(1000))) {}
      const auto r = kubelet.registrations()[seen];
      std::fprintf(stderr, "test-kubelet: %s registered on %s\n", r.resource_name().c_str(), r.endpoint().c_str());
      stubs.push_back(kubelet.plugin(r.endpoint()));
      watches.push_back(std::make_unique<DeviceWatch>(*stubs.back(), [&, name = r.resource_name()](const auto& list) {
        std::ostringstream line;
        line << now_ms() << ' ' << name;
        for (const auto& d : list.devices()) line << ' ' << d.id() << '=' << d.health();
        std::lock_guard lock(log_mutex);
        log << line.str() << std::endl;
      }));
    }
  });
  watcher.detach();
  int sig = 0;
  sigwait(&stop, &sig);
  std::_Exit(0);  // the streams and the detached watcher end with the process
}

int allocate(const std::string& dir, const std::string& endpoint, const std::string& ids, bool open_nodes) {
  auto stub = v1beta1::DevicePlugin::NewStub(
      grpc::CreateChannel("unix://" + dir + "/" + endpoint, grpc::InsecureChannelCredentials()));
  v1beta1::AllocateRequest request;
  auto* c = request.add_container_requests();
  std::stringstream list(ids);
  for (std::string id; std::getline(list, id, ',');) c->add_devices_ids(id);
  v1beta1::AllocateResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::Status status = stub->Allocate(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "allocate: refused (%d): %s\n", static_cast<int>(status.error_code()),
                 status.error_message().c_str());
    return 1;
  }
  int failed = 0;
  for (const auto& r : response.container_responses()) {
    for (const auto& [k, v] : r.envs()) std::printf("env %s=%s\n", k.c_str(), v.c_str());
    for (const auto& d : r.devices()) {
      std::printf("device %s %s\n", d.host_path().c_str(), d.permissions().c_str());
      if (!open_nodes) continue;
      const int fd = ::open(d.host_path().c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) {
        std::printf("cannot open %s: %s\n", d.host_path().c_str(), std::strerror(errno));
        failed = 1;
      } else {
        std::printf("opened %s\n", d.host_path().c_str());
        ::close(fd);
      }
    }
  }
  return failed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "serve") return serve(args[1], args[2]);
  if (args.size() == 1 && args[0] == "now") return std::printf("%lld\n", now_ms()) < 0;
  if ((args.size() == 4 || (args.size() == 5 && args[4] == "--open")) && args[0] == "allocate")
    return allocate(args[1], args[2], args[3], args.size() == 5);
  std::fprintf(stderr,
               "usage: vfiokit-test-kubelet serve DIR LOG\n"
               "       vfiokit-test-kubelet allocate DIR ENDPOINT ID[,ID...] [--open]\n"
               "       vfiokit-test-kubelet now\n");
  return 2;
}

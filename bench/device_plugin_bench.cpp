// SPDX-License-Identifier: Apache-2.0
// The device plugin at scale: the benchmarks' host of 4,096 functions
// (support/scale_host: 16 PFs and their 4,080 VFs, each function in an
// IOMMU group of its own, the VFs on vfio-pci), one resource naming the
// VFs: 4,080 devices.
//
//   BM_ListAndWatchFirstAnswer   a kubelet's ListAndWatch call on the
//                                serving plugin, until its first list has
//                                arrived over the unix socket (target:
//                                under 50 ms)
//   BM_StartToFirstAnswer        the same from nothing: the host read, the
//                                devices found, the server started, the
//                                first list received
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include "deviceplugin_v1beta1.grpc.pb.h"
#include "support/scale_host.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/deviceplugin/daemon/plugin_daemon.hpp"
#include "vfiokit/deviceplugin/service/plugin_server.hpp"

namespace {

using namespace vfiokit;
using namespace vfiokit::deviceplugin;

const testing::ScaleHost& scale(unsigned functions) {
  return testing::scale_host({.functions = functions, .iommu_groups = true, .vf_driver = "vfio-pci"});
}

PluginConfig vf_resource() {
  auto c = parse_plugin_config("[resource.\"bench.vfiokit.io/vf\"]\nselect = [\"15b3:101e\"]\n", "bench");
  if (!c) std::abort();
  return *c;
}

std::unique_ptr<PluginDaemon> prepare(unsigned functions) {
  DaemonOptions o;
  o.config = vf_resource();
  o.root = host::SysfsRoot(scale(functions).sysfs.root());
  auto d = PluginDaemon::prepare(std::move(o));
  if (!d) std::abort();
  return std::move(*d);
}

// One ListAndWatch call's first list; the number of devices in it.
int first_answer(const std::filesystem::path& dir, const std::string& endpoint) {
  auto stub = v1beta1::DevicePlugin::NewStub(
      grpc::CreateChannel("unix://" + (dir / endpoint).string(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto reader = stub->ListAndWatch(&context, v1beta1::Empty());
  v1beta1::ListAndWatchResponse list;
  if (!reader->Read(&list)) std::abort();
  context.TryCancel();
  (void)reader->Finish();
  return list.devices_size();
}

void BM_ListAndWatchFirstAnswer(benchmark::State& state) {
  const unsigned n = static_cast<unsigned>(state.range(0));
  auto daemon = prepare(n);
  testing::TempDir dir;
  auto server = PluginServer::start(dir.path(), *daemon->boards()[0], host::SysfsRoot(scale(n).sysfs.root()));
  if (!server) std::abort();
  int devices = 0;
  for (auto _ : state) devices = first_answer(dir.path(), (*server)->endpoint());
  state.counters["functions"] = n;
  state.counters["devices"] = devices;
}

void BM_StartToFirstAnswer(benchmark::State& state) {
  const unsigned n = static_cast<unsigned>(state.range(0));
  testing::TempDir dir;
  int devices = 0;
  for (auto _ : state) {
    auto daemon = prepare(n);
    auto server = PluginServer::start(dir.path(), *daemon->boards()[0], host::SysfsRoot(scale(n).sysfs.root()));
    if (!server) std::abort();
    devices = first_answer(dir.path(), (*server)->endpoint());
    state.PauseTiming();  // stopping the server is not part of the answer
    server->reset();
    daemon.reset();
    state.ResumeTiming();
  }
  state.counters["functions"] = n;
  state.counters["devices"] = devices;
}

BENCHMARK(BM_ListAndWatchFirstAnswer)
    ->Arg(1024)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(20);
BENCHMARK(BM_StartToFirstAnswer)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (unsigned n : {1024u, 4096u}) scale(n);  // built and written back before anything is timed
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

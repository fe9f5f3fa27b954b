// SPDX-License-Identifier: Apache-2.0
// vfiokit-device-plugin as the kubelet meets it: the program itself, run
// on a simulated host (a lab snapshot that `vfiokit bind --simulate` and
// the simulated kernel change), talking real gRPC over unix sockets with
// the test kubelet (fakes/test_kubelet), built from the same .proto.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "fakes/test_kubelet.hpp"
#include "support/lab_fixture.hpp"
#include "support/run_process.hpp"
#include "vfiokit/simulator/kernel.hpp"

namespace vfiokit::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kWait = 5s;                          // generous for a loaded CI machine; a change comes in milliseconds
const std::string kEdu = "0000:0c:00.0";            // group 11, alone
const std::string kMultifunction = "0000:08:00.1";  // group 15, edu fn1 beside an e1000e fn0
const std::string kNicA = "0000:04:00.0", kNicB = "0000:0b:00.0";  // e1000e, groups 19 and 12

// The plugin program, run in the background with its log in a file.
class PluginProcess {
 public:
  PluginProcess(const std::vector<std::string>& args, fs::path log) : log_(std::move(log)) {
    std::vector<std::string> argv = {DEVICE_PLUGIN_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    EXPECT_EQ(posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~PluginProcess() {
    if (pid_ > 0) stop();
  }
  // SIGTERM, as the kubelet stops a pod; the exit status.
  int stop() {
    ::kill(pid_, SIGTERM);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  pid_t pid_ = -1;
  fs::path log_;
};

class DevicePluginTest : public ::testing::Test {
 protected:
  void write_config(const std::string& text) { std::ofstream(config()) << text; }
  fs::path config() const { return host_.path() / "plugin.toml"; }
  std::unique_ptr<PluginProcess> start() {
    return std::make_unique<PluginProcess>(
        std::vector<std::string>{"--config", config().string(), "--device-plugin-dir", kubelet_.dir().string(),
                                 "--simulate", host_.sys(), "--vfiokit", trusted_vfiokit().string()},
        host_.path() / "plugin.log");
  }
  // The plugin runs only a vfiokit nobody but root can replace: a copy in
  // a directory of this test's own, wherever the build tree is.
  fs::path trusted_vfiokit() {
    const fs::path copy = dir_.path() / "bin/vfiokit";
    if (!fs::exists(copy)) {
      fs::create_directories(copy.parent_path());
      fs::permissions(copy.parent_path(), fs::perms(0755));
      fs::copy_file(VFIOKIT_BIN, copy);
    }
    return copy;
  }
  void vfiokit(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {VFIOKIT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--simulate", host_.sys()});
    auto r = run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::unique_ptr<v1beta1::DevicePlugin::Stub> plugin(const std::string& resource) {
    return kubelet_.plugin("vfiokit-" + resource + ".sock");
  }
  // The plugin with `config`, once all its `resources` have registered
  // (nullptr, the failure recorded with its log, when they do not).
  std::unique_ptr<PluginProcess> start_registered(const std::string& config, size_t resources) {
    write_config(config);
    auto p = start();
    if (kubelet_.wait_for_registrations(resources, kWait)) return p;
    ADD_FAILURE() << "the plugin did not register\n" << p->log();
    return nullptr;
  }

  LabFixture host_{"q35-debian-6.12"};
  TempDir dir_;
  TestKubelet kubelet_{dir_.path() / "device-plugins"};
};

// Allocate for one container; the status, the response in `out`.
grpc::Status allocate(v1beta1::DevicePlugin::Stub& plugin, const std::vector<std::string>& ids,
                      v1beta1::AllocateResponse* out) {
  v1beta1::AllocateRequest request;
  auto* c = request.add_container_requests();
  for (const auto& id : ids) c->add_devices_ids(id);
  grpc::ClientContext ctx;
  return plugin.Allocate(&ctx, request, out);
}

const std::string kEduAndNic = R"(
[resource."vfiokit.io/edu"]
select = ["1234:11e8"]

[resource."vfiokit.io/nic"]
select = ["8086:10d3"]
device-nodes = "cdev"
)";

TEST_F(DevicePluginTest, RegistersEachResourceWithWhatItServes) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  auto r = kubelet_.registrations();
  EXPECT_EQ(r[0].version(), "v1beta1");
  EXPECT_EQ(r[0].resource_name(), "vfiokit.io/edu");
  EXPECT_EQ(r[0].endpoint(), "vfiokit-vfiokit.io_edu.sock");
  EXPECT_TRUE(r[0].options().pre_start_required());
  EXPECT_TRUE(r[0].options().get_preferred_allocation_available());
  EXPECT_EQ(r[1].resource_name(), "vfiokit.io/nic");

  auto edu = plugin("vfiokit.io_edu");
  grpc::ClientContext ctx;
  v1beta1::DevicePluginOptions options;
  ASSERT_TRUE(edu->GetDevicePluginOptions(&ctx, v1beta1::Empty(), &options).ok());
  EXPECT_TRUE(options.pre_start_required());
  EXPECT_EQ(p->stop(), 0);
  EXPECT_FALSE(fs::exists(kubelet_.dir() / "vfiokit-vfiokit.io_edu.sock")) << "the socket goes with the plugin";
}

TEST_F(DevicePluginTest, ListsEveryMatchingGroupOnceWithItsHealth) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  auto edu = plugin("vfiokit.io_edu");
  DeviceWatch watch(*edu);
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return l.devices_size() > 0; }, kWait)) << p->log();
  const auto list = watch.lists().front();
  std::vector<std::string> ids;
  for (const auto& d : list.devices()) {
    ids.push_back(d.id());
    EXPECT_EQ(d.health(), "Unhealthy") << d.id() << ": no edu is on vfio-pci yet";
  }
  // Five groups hold an edu; group 15's e1000e goes with its edu.
  EXPECT_EQ(ids, (std::vector<std::string>{"0000:01:00.0", "0000:05:00.0", "0000:07:03.0", kMultifunction, kEdu}));
  auto nic = plugin("vfiokit.io_nic");
  DeviceWatch nics(*nic);
  ASSERT_TRUE(nics.wait_for([](const auto& l) { return l.devices_size() == 2; }, kWait));
  EXPECT_EQ(nics.lists().back().devices(0).id(), kNicA);
  EXPECT_NE(p->log().find("left out: IOMMU group 15 is already resource vfiokit.io/edu's"), std::string::npos)
      << p->log();
}

TEST_F(DevicePluginTest, HealthFollowsBindAndReleaseAndAllocateHandsOutTheGroup) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  auto edu = plugin("vfiokit.io_edu");
  DeviceWatch watch(*edu);
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kEdu) == "Unhealthy"; }, kWait));

  vfiokit({"bind", "--group", "11"});
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kEdu) == "Healthy"; }, kWait)) << p->log();

  v1beta1::AllocateResponse response;
  {
    auto status = allocate(*edu, {kEdu}, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(response.container_responses_size(), 1);
  const auto& c = response.container_responses(0);
  ASSERT_EQ(c.devices_size(), 2);
  EXPECT_EQ(c.devices(0).host_path(), "/dev/vfio/vfio");
  EXPECT_EQ(c.devices(1).host_path(), "/dev/vfio/11");
  EXPECT_EQ(c.devices(1).container_path(), "/dev/vfio/11");
  EXPECT_EQ(c.devices(1).permissions(), "rw");
  EXPECT_EQ(c.envs().at("PCI_RESOURCE_VFIOKIT_IO_EDU"), kEdu);
  {
    grpc::ClientContext ctx;
    v1beta1::PreStartContainerRequest pre;
    pre.add_devices_ids(kEdu);
    v1beta1::PreStartContainerResponse out;
    EXPECT_TRUE(edu->PreStartContainer(&ctx, pre, &out).ok());
  }

  vfiokit({"release", "--group", "11"});
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kEdu) == "Unhealthy"; }, kWait)) << p->log();
  {
    v1beta1::AllocateResponse refused;
    auto status = allocate(*edu, {kEdu}, &refused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
    EXPECT_NE(status.error_message().find("0000:0c:00.0 has no driver"), std::string::npos) << status.error_message();
  }
  EXPECT_NE(p->log().find("vfiokit.io/edu 0000:0c:00.0 (IOMMU group 11: 0000:0c:00.0): Healthy"), std::string::npos)
      << p->log();
}

TEST_F(DevicePluginTest, AMultifunctionGroupGoesWholeWithTheMatchedFunctionFirst) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  vfiokit({"bind", "--group", "15", "--force"});
  auto edu = plugin("vfiokit.io_edu");
  DeviceWatch watch(*edu);
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kMultifunction) == "Healthy"; }, kWait));
  v1beta1::AllocateResponse response;
  ASSERT_TRUE(allocate(*edu, {kMultifunction}, &response).ok());
  EXPECT_EQ(response.container_responses(0).envs().at("PCI_RESOURCE_VFIOKIT_IO_EDU"), "0000:08:00.1,0000:08:00.0");
  // Unbinding the other function breaks the group: the kubelet hears it.
  auto kernel = host::SimulatedKernel::open(host_.sys());
  ASSERT_TRUE(kernel);
  ASSERT_TRUE((*kernel)->write(fs::path(host_.sys()) / "bus/pci/devices/0000:08:00.0/driver/unbind", "0000:08:00.0"));
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kMultifunction) == "Unhealthy"; }, kWait))
      << p->log();
}

TEST_F(DevicePluginTest, AFunctionThatLeavesTheHostMakesItsGroupUnhealthy) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  vfiokit({"bind", "--group", "11"});
  auto edu = plugin("vfiokit.io_edu");
  DeviceWatch watch(*edu);
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kEdu) == "Healthy"; }, kWait));
  auto kernel = host::SimulatedKernel::open(host_.sys());
  ASSERT_TRUE(kernel);
  ASSERT_TRUE((*kernel)->write(fs::path(host_.sys()) / "bus/pci/devices" / kEdu / "remove", "1"));
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kEdu) == "Unhealthy"; }, kWait)) << p->log();
  EXPECT_EQ(watch.lists().back().devices_size(), 5) << "a device the kubelet knew stays listed";
}

TEST_F(DevicePluginTest, BindsItsGroupsAtStartWhenAskedAndHandsOutCdevs) {
  auto p = start_registered(R"(
[resource."vfiokit.io/nic"]
select = ["8086:10d3"]
bind = true
device-nodes = "cdev"
)",
                            1);
  ASSERT_TRUE(p);
  auto nic = plugin("vfiokit.io_nic");
  DeviceWatch watch(*nic);
  // Without an edu resource, group 15's e1000e makes it the nic's.
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return l.devices_size() == 3; }, kWait)) << p->log();
  // The first list is already the bound one: binding came before serving.
  const auto first = watch.lists().front();
  for (const auto& d : first.devices()) EXPECT_EQ(d.health(), "Healthy") << d.id() << p->log();
  v1beta1::AllocateResponse response;
  auto status = allocate(*nic, {kNicA, kNicB}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& r = response.container_responses(0);
  ASSERT_EQ(r.devices_size(), 3);  // /dev/iommu and one cdev per function
  EXPECT_EQ(r.devices(0).host_path(), "/dev/iommu");
  EXPECT_TRUE(r.devices(1).host_path().starts_with("/dev/vfio/devices/vfio")) << r.devices(1).host_path();
  EXPECT_NE(r.devices(1).host_path(), r.devices(2).host_path());
  EXPECT_EQ(r.envs().at("PCI_RESOURCE_VFIOKIT_IO_NIC"), kNicA + "," + kNicB);
  // Through `vfiokit bind`: journaled, so `vfiokit release` gives them back.
  vfiokit({"release", "--group", "19"});
  ASSERT_TRUE(watch.wait_for([](const auto& l) { return health_of(l, kNicA) == "Unhealthy"; }, kWait));
}

TEST_F(DevicePluginTest, RegistersAgainWhenTheKubeletRestarts) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  kubelet_.restart();
  ASSERT_TRUE(kubelet_.wait_for_registrations(4, kWait)) << p->log();
  EXPECT_EQ(kubelet_.registrations()[2].resource_name(), "vfiokit.io/edu");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(kubelet_.registrations().size(), 4u) << "one restart, one registration each\n" << p->log();
  // The new socket serves: the restarted kubelet gets the list.
  auto edu = plugin("vfiokit.io_edu");
  DeviceWatch watch(*edu);
  EXPECT_TRUE(watch.wait_for([](const auto& l) { return l.devices_size() == 5; }, kWait)) << p->log();
  EXPECT_NE(p->log().find("the kubelet (re)started"), std::string::npos) << p->log();
}

TEST_F(DevicePluginTest, WaitsForAKubeletThatIsNotThereYet) {
  write_config(kEduAndNic);
  const fs::path dir = dir_.path() / "later";
  fs::create_directories(dir);
  PluginProcess p({"--config", config().string(), "--device-plugin-dir", dir.string(), "--simulate", host_.sys()},
                  host_.path() / "plugin.log");
  std::this_thread::sleep_for(300ms);
  TestKubelet late(dir);
  ASSERT_TRUE(late.wait_for_registrations(2, kWait)) << p.log();
  EXPECT_NE(p.log().find("waiting for the kubelet"), std::string::npos) << p.log();
}

TEST_F(DevicePluginTest, BadRequestsAreRefused) {
  auto p = start_registered(kEduAndNic, 2);
  ASSERT_TRUE(p);
  auto edu = plugin("vfiokit.io_edu");
  const auto allocate = [&](std::vector<std::vector<std::string>> containers) {
    v1beta1::AllocateRequest request;
    for (const auto& ids : containers) {
      auto* c = request.add_container_requests();
      for (const auto& id : ids) c->add_devices_ids(id);
    }
    v1beta1::AllocateResponse response;
    grpc::ClientContext ctx;
    return edu->Allocate(&ctx, request, &response);
  };
  EXPECT_EQ(allocate({}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(allocate({{}}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(allocate({{kNicA}}).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "another resource's device";
  EXPECT_EQ(allocate({{"0000:08:00.0"}}).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a function, not an ID";
  EXPECT_EQ(allocate({{kEdu, kEdu}}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(allocate({{std::string(100000, 'x')}}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1beta1::PreferredAllocationRequest pref;
  auto* c = pref.add_container_requests();
  c->add_available_deviceids(kEdu);
  c->set_allocation_size(2);
  v1beta1::PreferredAllocationResponse out;
  grpc::ClientContext ctx;
  EXPECT_EQ(edu->GetPreferredAllocation(&ctx, pref, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx2;
  v1beta1::PreStartContainerRequest pre;
  pre.add_devices_ids(kEdu);
  v1beta1::PreStartContainerResponse pre_out;
  EXPECT_EQ(edu->PreStartContainer(&ctx2, pre, &pre_out).error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "an unhealthy group cannot start";
  // The plugin is still there after all of them.
  grpc::ClientContext ctx3;
  v1beta1::DevicePluginOptions options;
  EXPECT_TRUE(edu->GetDevicePluginOptions(&ctx3, v1beta1::Empty(), &options).ok());
}

TEST_F(DevicePluginTest, ARefusedRegistrationEndsThePluginSayingWhy) {
  write_config(kEduAndNic);
  kubelet_.refuse("vfiokit.io/edu");
  auto p = start();
  EXPECT_EQ(p->wait(), 1);
  EXPECT_NE(p->log().find("the kubelet refused: resource name is taken by another plugin"), std::string::npos)
      << p->log();
}

TEST_F(DevicePluginTest, ABadConfigurationOrHostIsAnErrorBeforeAnySocket) {
  write_config("[resource.\"vfiokit.io/x\"]\nselect = [\"zz\"]\n");
  auto p = start();
  EXPECT_EQ(p->wait(), 1);
  EXPECT_NE(p->log().find("plugin.toml:2"), std::string::npos) << p->log();
  write_config("[resource.\"vfiokit.io/x\"]\nprofile = \"/nonexistent/p.toml\"\n");
  auto q = start();
  EXPECT_EQ(q->wait(), 1);
  EXPECT_TRUE(fs::is_empty(kubelet_.dir()) || !fs::exists(kubelet_.dir() / "vfiokit-vfiokit.io_x.sock"));
  // Something that is not a socket where the plugin's would go is left alone.
  write_config(kEduAndNic);
  std::ofstream(kubelet_.dir() / "vfiokit-vfiokit.io_edu.sock") << "not a socket";
  auto r = start();
  EXPECT_EQ(r->wait(), 1);
  EXPECT_NE(r->log().find("exists and is not a socket"), std::string::npos) << r->log();
}

TEST_F(DevicePluginTest, CheckPrintsWhatWouldBeAdvertised) {
  write_config(kEduAndNic);
  auto r = run_process({DEVICE_PLUGIN_BIN, "--config", config().string(), "--sysfs-root", host_.sys(), "--check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vfiokit.io/edu: 5 devices (socket vfiokit-vfiokit.io_edu.sock, PCI_RESOURCE_VFIOKIT_IO_EDU"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("vfiokit.io/nic 0000:04:00.0 (IOMMU group 19: 0000:04:00.0): Unhealthy: 0000:04:00.0 is on "
                       "e1000e (vfio-pci is needed)"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::is_empty(kubelet_.dir()) || !fs::exists(kubelet_.dir() / "vfiokit-vfiokit.io_edu.sock"));
}

}  // namespace
}  // namespace vfiokit::testing

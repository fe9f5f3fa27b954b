// SPDX-License-Identifier: Apache-2.0
// `vfiokit proxmox-hook` driven as Proxmox VE drives a hookscript: argv
// VMID PHASE, the guest's configuration in /etc/pve/qemu-server/VMID.conf,
// and a non-zero status at pre-start to abort the start. On a simulated
// copy of a host the lab captured with the profile suite's devices
// (data/fixtures/).
#include <gtest/gtest.h>

#include <fstream>

#include "support/lab_fixture.hpp"
#include "support/run_process.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

const pci::Bdf kRebar(0, 2, 0, 0), kSlotNic(0, 2, 0, 1), kOtherNic(0, 1, 0, 0);

struct Proxmox {
  testing::LabFixture dir{"profile-debian-6.12"};
  Proxmox() {
    std::filesystem::create_directories(dir.path() / "qemu-server");
    std::filesystem::create_directories(dir.path() / "profiles");
  }
  std::string sys() const { return dir.sys(); }
  void config(const std::string& vmid, const std::string& text) const {
    std::ofstream(dir.path() / "qemu-server" / (vmid + ".conf")) << text;
  }
  testing::ProcessResult call(const std::string& vmid, const std::string& phase) const {
    return run_process({VFIOKIT_BIN, "proxmox-hook", vmid, phase, "--config-dir", (dir.path() / "qemu-server").string(),
                        "--profiles-dir", (dir.path() / "profiles").string(), "--simulate", sys()});
  }
  std::string driver(const pci::Bdf& bdf) const {
    return host::read_host(host::SysfsRoot(sys())).function(bdf)->driver;
  }
  uint64_t bar2() const { return host::read_host(host::SysfsRoot(sys())).function(kRebar)->resources[2].size(); }
};

TEST(CliProxmoxHook, TheHostpciSlotIsBoundWholeAtPreStartAndGivenBackAtPostStop) {
  Proxmox p;
  p.config("100", "boot: order=scsi0\nhostpci0: 0000:02:00,pcie=1,x-vga=1\nmachine: q35\nmemory: 4096\n");
  auto r = p.call("100", "pre-start");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plan: profile proxmox-100"), std::string::npos) << r.out;
  EXPECT_EQ(p.driver(kRebar), "vfio-pci");
  EXPECT_EQ(p.driver(kSlotNic), "vfio-pci");
  EXPECT_EQ(p.driver(kOtherNic), "e1000e");
  for (const char* phase : {"post-start", "pre-stop"}) {
    r = p.call("100", phase);
    EXPECT_EQ(r.exit_code, 0) << phase << r.err;
    EXPECT_EQ(r.out, "") << phase;
  }
  r = p.call("100", "post-stop");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(p.driver(kRebar), "");
  EXPECT_EQ(p.driver(kSlotNic), "e1000e");
  // A second post-stop (Proxmox runs it again on a cleanup) is nothing to do.
  r = p.call("100", "post-stop");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profile proxmox-100 is not up: nothing to do"), std::string::npos) << r.out;
}

TEST(CliProxmoxHook, AGuestsProfileFileWinsOverItsHostpciLines) {
  Proxmox p;
  p.config("101", "hostpci0: 02:00.0\n");
  std::ofstream(p.dir.path() / "profiles/proxmox-101.toml")
      << "name = \"gaming\"\n[device.gpu]\nid = \"1234:ba12\"\nbar2 = \"256M\"\n[device.nic]\nbdf = \"0000:02:00.1\"\n";
  auto r = p.call("101", "pre-start");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plan: profile gaming"), std::string::npos) << r.out;
  EXPECT_EQ(p.bar2(), 256u << 20);
  EXPECT_EQ(p.driver(kSlotNic), "vfio-pci");
  r = p.call("101", "post-stop");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(p.bar2(), 16u << 20);
  EXPECT_EQ(p.driver(kSlotNic), "e1000e");
}

TEST(CliProxmoxHook, AGuestWithoutHostpciIsNothingToDo) {
  Proxmox p;
  p.config("102", "cores: 2\nmemory: 2048\n");
  auto r = p.call("102", "pre-start");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliProxmoxHook, BadInputAbortsTheStartWithAClearMessageAndChangesNothing) {
  Proxmox p;
  p.config("103", "hostpci0: mapping=gpu\n");
  p.config("104", "hostpci0: 0000:09:00.0\n");
  p.config("106", "hostpci0: 02:00.0,pcie=1\nhostpci1: 02:00.0\n");
  const std::pair<std::string, std::string> cases[] = {
      {"../100", "VMID '../100': is not a Proxmox guest ID"},
      {"107", "107.conf: no such guest configuration"},
      {"103", "103.conf:1: hostpci0: mapping=gpu is decided by Proxmox"},
      {"104", "104.conf:1: hostpci0 names 0000:09:00.0, which is not on this host"},
  };
  for (const auto& [vmid, expected] : cases) {
    auto r = p.call(vmid, "pre-start");
    EXPECT_NE(r.exit_code, 0) << vmid;
    EXPECT_NE(r.err.find(expected), std::string::npos) << vmid << "\n" << r.err;
    EXPECT_EQ(p.driver(kSlotNic), "e1000e") << vmid;
    EXPECT_EQ(p.driver(kOtherNic), "e1000e") << vmid;
  }
  // The same function twice is one function.
  auto r = p.call("106", "pre-start");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(p.driver(kSlotNic), "vfio-pci");
}

}  // namespace
}  // namespace vfiokit

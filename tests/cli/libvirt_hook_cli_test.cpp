// SPDX-License-Identifier: Apache-2.0
// `vfiokit libvirt-hook` driven exactly as libvirt drives a QEMU hook
// (https://libvirt.org/hooks.html): argv DOMAIN OPERATION SUB-OPERATION
// EXTRA, the domain's XML on standard input, and a non-zero status with a
// message on standard error to refuse the start. On a simulated copy of a
// host the lab captured with the profile suite's devices (data/fixtures/).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/lab_fixture.hpp"
#include "support/run_process.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit {
namespace {

using testing::run_process;
using testing::run_process_with_input;

const pci::Bdf kRebar(0, 2, 0, 0), kSlotNic(0, 2, 0, 1);

// A domain as `virsh dumpxml` prints one (libvirt's formatdomain.html).
std::string domain_xml(const std::string& name, const std::string& metadata, const std::string& hostdevs) {
  return "<domain type='kvm' id='1'>\n  <name>" + name +
         "</name>\n  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
         "  <metadata>\n" +
         metadata +
         "  </metadata>\n  <memory unit='KiB'>4194304</memory>\n  <vcpu placement='static'>4</vcpu>\n"
         "  <os>\n    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n  </os>\n"
         "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n" +
         hostdevs + "  </devices>\n</domain>\n";
}

std::string hostdev(unsigned bus, unsigned slot, unsigned function) {
  return fmt::format(
      "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <driver name='vfio'/>\n"
      "      <source>\n        <address domain='0x0000' bus='0x{:02x}' slot='0x{:02x}' function='0x{:x}'/>\n"
      "      </source>\n    </hostdev>\n",
      bus, slot, function);
}

struct Hook {
  testing::LabFixture dir{"profile-debian-6.12"};
  Hook() { std::filesystem::create_directories(dir.path() / "profiles"); }
  std::string sys() const { return dir.sys(); }
  testing::ProcessResult call(const std::string& domain, const std::string& op, const std::string& sub,
                              const std::string& xml) const {
    return run_process_with_input({VFIOKIT_BIN, "libvirt-hook", domain, op, sub, "-", "--profiles-dir",
                                   (dir.path() / "profiles").string(), "--simulate", sys()},
                                  xml);
  }
  std::string driver(const pci::Bdf& bdf) const {
    return host::read_host(host::SysfsRoot(sys())).function(bdf)->driver;
  }
  uint64_t bar2() const { return host::read_host(host::SysfsRoot(sys())).function(kRebar)->resources[2].size(); }
};

TEST(CliLibvirtHook, TheProfileInTheMetadataGoesUpAtPrepareAndDownAtRelease) {
  Hook h;
  std::ofstream(h.dir.path() / "profiles/win11.toml")
      << "[device.gpu]\nid = \"1234:ba12\"\nbar2 = \"256M\"\n[device.nic]\nbdf = \"0000:02:00.1\"\n";
  const std::string xml =
      domain_xml("win11", "    <vfiokit:profile xmlns:vfiokit='https://vfiokit.dev/xmlns/libvirt/1' name='win11'/>\n",
                 hostdev(2, 0, 0) + hostdev(2, 0, 1));
  auto r = h.call("win11", "prepare", "begin", xml);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(h.driver(kRebar), "vfio-pci");
  EXPECT_EQ(h.driver(kSlotNic), "vfio-pci");
  EXPECT_EQ(h.bar2(), 256u << 20);
  // The moments between need nothing.
  for (const auto& [op, sub] :
       {std::pair{"start", "begin"}, std::pair{"started", "begin"}, std::pair{"stopped", "end"}}) {
    r = h.call("win11", op, sub, xml);
    EXPECT_EQ(r.exit_code, 0) << op << " " << sub << r.err;
  }
  r = h.call("win11", "release", "end", xml);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(h.driver(kRebar), "");
  EXPECT_EQ(h.driver(kSlotNic), "e1000e");
  EXPECT_EQ(h.bar2(), 16u << 20);
}

TEST(CliLibvirtHook, WithoutAProfileTheHostdevsGroupsAreBoundAndGivenBack) {
  Hook h;
  // Only function 0 is a hostdev: its group comes whole.
  const std::string xml = domain_xml("plain vm", "", hostdev(2, 0, 0));
  auto r = h.call("plain vm", "prepare", "begin", xml);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plan: profile libvirt-plain_vm"), std::string::npos) << r.out;
  EXPECT_EQ(h.driver(kRebar), "vfio-pci");
  EXPECT_EQ(h.driver(kSlotNic), "vfio-pci");
  r = run_process({VFIOKIT_BIN, "status", "--simulate", h.sys()});
  EXPECT_NE(r.out.find("profile libvirt-plain_vm: up"), std::string::npos) << r.out;
  r = h.call("plain vm", "release", "end", xml);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(h.driver(kSlotNic), "e1000e");
}

TEST(CliLibvirtHook, ADomainWithoutHostdevsIsNothingToDo) {
  Hook h;
  auto r = h.call("desktop", "prepare", "begin", domain_xml("desktop", "", ""));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(h.driver(kSlotNic), "e1000e");
}

TEST(CliLibvirtHook, BadInputRefusesTheStartWithAClearMessageAndChangesNothing) {
  Hook h;
  const std::pair<std::string, std::string> cases[] = {
      {"<domain><name>vm</name><devices>", "vfiokit: the domain XML, line 1: is not XML"},
      {"not xml at all", "is not XML"},
      {"<network><name>vm</name></network>", "has no <domain> element at its top"},
      {domain_xml("other", "", hostdev(2, 0, 0)), "describes domain 'other', not 'vm'"},
      {domain_xml("vm", "",
                  "    <hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x1ff' "
                  "slot='0x00' function='0x0'/></source></hostdev>\n"),
       "has a PCI <hostdev> address that is not one"},
      {domain_xml("vm", "    <vfiokit:profile xmlns:vfiokit='https://vfiokit.dev/xmlns/libvirt/1' name='../x'/>\n", ""),
       "is not a profile name"},
      {domain_xml("vm", "    <vfiokit:profile xmlns:vfiokit='https://vfiokit.dev/xmlns/libvirt/1' name='absent'/>\n",
                  ""),
       "absent.toml: no such profile file"},
      {domain_xml("vm", "", hostdev(9, 0, 0)), "0000:09:00.0: no such PCI function"},
      // An external entity is never fetched nor expanded.
      {"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>",
       "vfiokit:"},
  };
  for (const auto& [xml, expected] : cases) {
    auto r = h.call("vm", "prepare", "begin", xml);
    EXPECT_EQ(r.exit_code, 1) << xml;
    EXPECT_NE(r.err.find(expected), std::string::npos) << xml << "\n" << r.err;
    EXPECT_EQ(r.err.find("root:"), std::string::npos) << r.err;
    EXPECT_EQ(h.driver(kSlotNic), "e1000e") << xml;
  }
}

}  // namespace
}  // namespace vfiokit

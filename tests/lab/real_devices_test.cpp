// SPDX-License-Identifier: Apache-2.0
// Runs inside the lab guest: vfiokit's decoding of the real kernel's view of
// the default topology's devices (lab/topologies/default.topo).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lab/support/guest_devices.hpp"
#include "support/function_compare.hpp"
#include "support/lspci_compare.hpp"
#include "support/run_process.hpp"
#include "vfiokit/cli/render/device_json.hpp"
#include "vfiokit/host/devices/config_to_last_capability.hpp"
#include "vfiokit/host/devices/device_config.hpp"
#include "vfiokit/host/devices/virtual_function_parents.hpp"
#include "vfiokit/host/iommu/group_prediction.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::lab {
namespace {

using pci::PcieType;

constexpr uint16_t kRedHat = 0x1b36, kQemu = 0x1234, kIntel = 0x8086, kTi = 0x104c;
constexpr uint16_t kEdu = 0x11e8, kRootPort = 0x000c, kPciBridge = 0x000e, kNvme = 0x0010;
constexpr uint16_t kE1000e = 0x10d3, kE1000 = 0x100e, kPciTestdev = 0x0005;
constexpr uint16_t kSwitchUp = 0x8232, kSwitchDown = 0x8233;

class RealDevices : public ::testing::Test {
 protected:
  host::SysfsRoot root{"/sys"};
  std::vector<GuestDevice> all = guest_devices(root);
};

// The tests named EveryFunction* hold for any topology (suite "smoke"); the
// others describe lab/topologies/default.topo (suite "pci").
TEST_F(RealDevices, DefaultTopologyHasAllItsFunctions) {
  // q35's own 5 (host bridge, VGA, ICH9 LPC, SATA, SMBus) + 9 root ports + edu,
  // e1000e, nvme, virtio-net + 2 multifunction + PCIe-PCI bridge and 3
  // behind it + switch (3 ports) and 2 behind it + edu without ACS + the
  // SR-IOV nvme and the 3 VFs suite "pci" enables.
  EXPECT_EQ(all.size(), 34u);
}

TEST_F(RealDevices, EveryFunctionDecodesWithoutDefects) {
  ASSERT_FALSE(all.empty());
  for (const auto& d : all) {
    const auto decoded = decode_live(root, d.bdf);
    EXPECT_FALSE(decoded.has_defects()) << d.bdf.str();
    // A VF's own Vendor ID register reads 0xFFFF (SR-IOV); the kernel
    // names it after its PF. That is why a VF's IDs come from uevent.
    EXPECT_EQ(decoded.header.vendor_id, d.virtual_function ? 0xffff : d.vendor) << d.bdf.str();
  }
}

// `lspci -D -vvv` split into one block of text per function.
std::map<std::string, std::string> lspci_blocks() {
  auto lspci = testing::run_process({"lspci", "-D", "-vvv"});
  EXPECT_EQ(lspci.exit_code, 0) << lspci.err;
  std::map<std::string, std::string> blocks;
  std::istringstream in(lspci.out);
  std::string line, current;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '\t' && line.size() > 12 && line[12] == ' ') current = line.substr(0, 12);
    if (!current.empty()) blocks[current] += line + "\n";
  }
  return blocks;
}

// The differential test of the foundation, on live devices: what vfiokit
// decodes equals what `lspci -vvv` prints for each function.
TEST_F(RealDevices, EveryFunctionDecodesLikeLspci) {
  host::PciNames names;
  const auto blocks = lspci_blocks();
  ASSERT_EQ(blocks.size(), all.size());
  for (const auto& d : all) {
    SCOPED_TRACE(d.bdf.str());
    const auto decoded = decode_live(root, d.bdf);
    const auto ours = cli::device_json({d.bdf, "", 0, {}}, decoded, names);
    ASSERT_TRUE(blocks.count(d.bdf.str()));
    testing::expect_same_capabilities(testing::view_of_vfiokit(nlohmann::json::parse(ours.dump())),
                                      testing::parse_lspci(blocks.at(d.bdf.str())));
  }
}

// On the live sysfs the host read asks the device only for the bytes up to
// a window past its last extended capability; what it decodes is what the
// whole file decodes to, on every function of the real kernel. The time of
// both reads of all functions is printed (each 4 bytes is a config cycle
// the emulator answers).
TEST_F(RealDevices, EveryFunctionReadToItsLastCapabilityDecodesAsTheWholeFile) {
  host::PciNames names;
  ASSERT_FALSE(all.empty());
  size_t whole_bytes = 0, partial_bytes = 0;
  std::chrono::steady_clock::duration whole_time{}, partial_time{};
  for (const auto& d : all) {
    SCOPED_TRACE(d.bdf.str());
    auto dir = host::SysfsDir::open(root.device_dir(d.bdf));
    ASSERT_TRUE(dir);
    ASSERT_TRUE(dir->on_sysfs());
    auto partial = host::read_device_config(*dir);
    ASSERT_TRUE(partial) << partial.error().describe();
    const auto ours = cli::device_json({d.bdf, "", 0, {}}, pci::decode_device(partial->config), names);
    const auto whole = cli::device_json({d.bdf, "", 0, {}}, decode_live(root, d.bdf), names);
    EXPECT_EQ(ours.dump(2), whole.dump(2));

    auto t0 = std::chrono::steady_clock::now();
    auto all_bytes = dir->read("config", pci::kExtendedSize);
    auto t1 = std::chrono::steady_clock::now();
    auto file = dir->open_file("config");
    ASSERT_TRUE(all_bytes && *all_bytes && file && *file);
    const host::SysfsFile& f = **file;
    auto bounded = host::read_config_to_last_capability(
        [&](size_t offset, std::span<uint8_t> into) { return f.read_at(offset, into); }, f.size());
    auto t2 = std::chrono::steady_clock::now();
    ASSERT_TRUE(bounded);
    whole_bytes += (*all_bytes)->size();
    partial_bytes += bounded->read;
    whole_time += t1 - t0;
    partial_time += t2 - t1;
  }
  const auto ms = [](auto t) { return std::chrono::duration<double, std::milli>(t).count(); };
  std::printf(
      "BENCH sysfs config of %zu functions: whole files %.1f ms (%zu bytes), to the last capability %.1f ms "
      "(%zu bytes)\n",
      all.size(), ms(whole_time), whole_bytes, ms(partial_time), partial_bytes);
  EXPECT_LT(partial_bytes, whole_bytes);
}

// vfiokit's prediction of IOMMU groups, from topology and config space
// alone, equals the groups this kernel formed, number for number.
TEST_F(RealDevices, EveryFunctionPredictedGroupEqualsTheKernels) {
  std::vector<Error> problems;
  const auto functions = host::read_pci_functions(root, problems);
  EXPECT_TRUE(problems.empty());
  const auto predicted = host::predict_iommu_groups(functions);
  for (const auto& f : functions) {
    ASSERT_TRUE(f.iommu_group) << f.bdf.str() << " has no IOMMU group: is intel_iommu=on?";
    EXPECT_EQ(predicted.group_of.at(f.bdf), *f.iommu_group) << f.bdf.str() << ": " << predicted.reason.at(f.bdf);
  }
}

// `list` and `groups` read less (host::Detail::summary): on the real
// kernel it must show what the full read shows, and predict its groups. A VF's PF comes from the PF's SR-IOV
// capability, never from a link here, and equals the VF's physfn link.
TEST_F(RealDevices, ASummaryReadShowsWhatTheFullReadShows) {
  std::vector<Error> full_problems, summary_problems;
  const auto t0 = std::chrono::steady_clock::now();
  const auto full = host::read_pci_functions(root, full_problems, host::Detail::full);
  const auto t1 = std::chrono::steady_clock::now();
  const auto summary = host::read_pci_functions(root, summary_problems, host::Detail::summary);
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_TRUE(full_problems.empty());
  EXPECT_TRUE(summary_problems.empty());
  ASSERT_EQ(summary.size(), full.size());
  size_t vfs = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    const auto& f = full[i];
    const auto& s = summary[i];
    const std::string at = f.bdf.str();
    ASSERT_EQ(s.bdf, f.bdf);
    testing::expect_same_shown(s, f, at);
    if (!f.virtual_function) continue;
    ++vfs;
    EXPECT_TRUE(f.physfn) << at;
    EXPECT_FALSE(s.config) << at << ": a summary reads no VF's config space";
  }
  EXPECT_EQ(vfs, 3u) << "suite pci enables 3 VFs of the SR-IOV nvme";
  const auto ms = [](auto t) { return std::chrono::duration<double, std::milli>(t).count(); };
  std::printf("BENCH read of %zu functions (%zu VFs): full %.1f ms, summary (list) %.1f ms\n", full.size(), vfs,
              ms(t1 - t0), ms(t2 - t1));

  // `groups` predicts from the summary: the kernel's groups, VFs too.
  const auto predicted = host::predict_iommu_groups(summary);
  for (const auto& f : full) {
    ASSERT_TRUE(f.iommu_group) << f.bdf.str();
    EXPECT_EQ(predicted.group_of.at(f.bdf), *f.iommu_group) << f.bdf.str() << ": " << predicted.reason.at(f.bdf);
  }

  auto again = summary;
  for (auto& f : again) f.physfn.reset();
  host::find_virtual_function_parents(again, [](const host::PciFunction& vf) -> std::optional<pci::Bdf> {
    ADD_FAILURE() << vf.bdf.str() << ": its PF was not found from the PF's SR-IOV capability";
    return std::nullopt;
  });
  for (size_t i = 0; i < full.size(); ++i) EXPECT_EQ(again[i].physfn, full[i].physfn) << full[i].bdf.str();
}

TEST_F(RealDevices, RootPortsIsolateExceptTheOneWithoutAcs) {
  const auto ports = find_devices(all, kRedHat, kRootPort);
  ASSERT_EQ(ports.size(), 9u);
  unsigned without_acs = 0;
  for (const auto& p : ports) {
    const auto decoded = decode_live(root, p.bdf);
    const auto* e = decoded.find<pci::PciExpress>();
    ASSERT_TRUE(e) << p.bdf.str();
    EXPECT_EQ(e->type, PcieType::root_port);
    if (const auto* acs = decoded.find<pci::Acs>()) {
      // The kernel enabled ACS because an IOMMU asked for it.
      EXPECT_TRUE(acs->kernel_required_enabled()) << p.bdf.str();
    } else {
      ++without_acs;
      EXPECT_EQ(find_devices(all, kQemu, kEdu, std::make_pair(kRedHat, kRootPort)).size(), 3u);
    }
  }
  EXPECT_EQ(without_acs, 1u) << "exactly one root port is disable-acs=on";
}

TEST_F(RealDevices, MultifunctionSlotHasE1000eAndEdu) {
  bool found = false;
  for (const auto& nic : find_devices(all, kIntel, kE1000e)) {
    const auto decoded = decode_live(root, nic.bdf);
    if (!decoded.header.multifunction) continue;
    found = true;
    EXPECT_EQ(nic.bdf.function(), 0);
    const pci::Bdf fn1(nic.bdf.domain(), nic.bdf.bus(), nic.bdf.device(), 1);
    const auto sibling = decode_live(root, fn1);
    EXPECT_EQ(sibling.header.vendor_id, kQemu);
    EXPECT_EQ(sibling.header.device_id, kEdu);
    EXPECT_FALSE(decoded.find<pci::Acs>()) << "the slot must have no ACS to share a group";
  }
  EXPECT_TRUE(found);
}

TEST_F(RealDevices, PcieToPciBridgeHasConventionalDevicesBehindIt) {
  const auto bridges = find_devices(all, kRedHat, kPciBridge);
  ASSERT_EQ(bridges.size(), 1u);
  const auto bridge = decode_live(root, bridges[0].bdf);
  ASSERT_TRUE(bridge.find<pci::PciExpress>());
  EXPECT_EQ(bridge.find<pci::PciExpress>()->type, PcieType::pcie_to_pci_bridge);
  ASSERT_TRUE(bridge.header.bridge);
  unsigned behind = 0;
  for (const auto& d : all) {
    if (d.parent != bridges[0].bdf) continue;
    ++behind;
    const auto decoded = decode_live(root, d.bdf);
    EXPECT_EQ(decoded.config_size, 256u) << d.bdf.str() << ": conventional functions have 256 bytes";
    EXPECT_FALSE(decoded.find<pci::PciExpress>()) << d.bdf.str();
    EXPECT_EQ(d.bdf.bus(), bridge.header.bridge->secondary_bus);
  }
  EXPECT_EQ(behind, 3u);
  EXPECT_EQ(find_devices(all, kIntel, kE1000, std::make_pair(kRedHat, kPciBridge)).size(), 1u);
  EXPECT_EQ(find_devices(all, kRedHat, kPciTestdev, std::make_pair(kRedHat, kPciBridge)).size(), 1u);
}

TEST_F(RealDevices, SwitchPortsHaveTheirTypes) {
  const auto up = find_devices(all, kTi, kSwitchUp);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(decode_live(root, up[0].bdf).find<pci::PciExpress>()->type, PcieType::upstream_port);
  const auto down = find_devices(all, kTi, kSwitchDown);
  ASSERT_EQ(down.size(), 2u);
  for (const auto& d : down) {
    const auto decoded = decode_live(root, d.bdf);
    EXPECT_EQ(decoded.find<pci::PciExpress>()->type, PcieType::downstream_port);
    EXPECT_FALSE(decoded.find<pci::Acs>()) << "xio3130 downstream ports have no ACS";
    EXPECT_EQ(d.parent, up[0].bdf);
  }
}

TEST_F(RealDevices, NvmeHasFlrAndMsix) {
  const auto nvme = without_sriov(find_devices(all, kRedHat, kNvme));
  ASSERT_EQ(nvme.size(), 1u);
  const auto decoded = decode_live(root, nvme[0].bdf);
  ASSERT_TRUE(decoded.find<pci::PciExpress>());
  EXPECT_TRUE(decoded.find<pci::PciExpress>()->function_level_reset);
  ASSERT_TRUE(decoded.find<pci::MsiX>());
  EXPECT_GE(decoded.find<pci::MsiX>()->table_size, 2u);
}

TEST_F(RealDevices, E1000eHasPowerManagementAndMsix) {
  const auto nics = find_devices(all, kIntel, kE1000e);
  ASSERT_EQ(nics.size(), 3u);
  for (const auto& n : nics) {
    const auto decoded = decode_live(root, n.bdf);
    EXPECT_TRUE(decoded.find<pci::PowerManagement>()) << n.bdf.str();
    EXPECT_TRUE(decoded.find<pci::MsiX>()) << n.bdf.str();
    EXPECT_EQ(decoded.find<pci::MsiX>()->table_size, 5u) << n.bdf.str();
  }
}

}  // namespace
}  // namespace vfiokit::lab

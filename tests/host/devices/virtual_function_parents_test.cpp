// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/virtual_function_parents.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "fakes/fake_sysfs.hpp"
#include "support/config_builder.hpp"
#include "support/function_compare.hpp"

namespace vfiokit::host {
namespace {

using pci::Bdf;
using testing::ConfigBuilder;

// A PF whose SR-IOV capability (at 0x100) has `vfs` VFs at `offset` and
// `stride` from it, enabled or not.
PciFunction pf(Bdf bdf, uint16_t vfs, uint16_t offset, uint16_t stride, bool enabled = true) {
  ConfigBuilder b;
  b.ids(0x15b3, 0x101d).class_code(0x020000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  b.sriov(0x100, 255, vfs, 0x101e);
  b.u16(0x100 + 0x08, enabled ? 0x19 : 0x00).u16(0x100 + 0x14, offset).u16(0x100 + 0x16, stride);
  PciFunction f;
  f.bdf = bdf;
  f.config = pci::decode_device(b.build());
  return f;
}

PciFunction vf(Bdf bdf) {
  PciFunction f;
  f.bdf = bdf;
  f.virtual_function = true;
  return f;
}

// What the links would say, counting how often they are asked.
struct Links {
  std::map<Bdf, Bdf> target;
  int asked = 0;
  std::optional<Bdf> operator()(const PciFunction& f) {
    ++asked;
    auto it = target.find(f.bdf);
    return it == target.end() ? std::nullopt : std::optional(it->second);
  }
};

TEST(VirtualFunctionParents, EnabledVfsAreFoundFromTheirPfsCapability) {
  const Bdf a(0, 3, 0, 0), b(0, 3, 0, 1);
  // PF a: 3 VFs from offset 0x80, stride 2 (03:10.0, 03:10.2, 03:10.4);
  // PF b: 2 VFs from offset 0x85, stride 2 (03:10.6, 03:11.0).
  std::vector<PciFunction> fs{pf(a, 3, 0x80, 2),      pf(b, 2, 0x85, 2),      vf(Bdf(0, 3, 0x10, 0)),
                              vf(Bdf(0, 3, 0x10, 2)), vf(Bdf(0, 3, 0x10, 4)), vf(Bdf(0, 3, 0x10, 6)),
                              vf(Bdf(0, 3, 0x11, 0))};
  Links links;
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 0);
  EXPECT_EQ(fs[2].physfn, a);
  EXPECT_EQ(fs[3].physfn, a);
  EXPECT_EQ(fs[4].physfn, a);
  EXPECT_EQ(fs[5].physfn, b);
  EXPECT_EQ(fs[6].physfn, b);
  EXPECT_FALSE(fs[0].physfn);  // a PF has none
}

// Routing IDs carry into the bus number: VFs can sit on the buses after
// the PF's (pci_iov_virtfn_bus adds the carry).
TEST(VirtualFunctionParents, VfsPastTheLastDevfnAreOnTheNextBus) {
  const Bdf p(0, 5, 0x1f, 7);  // devfn 0xff
  std::vector<PciFunction> fs{pf(p, 2, 1, 1), vf(Bdf(0, 6, 0, 0)), vf(Bdf(0, 6, 0, 1))};
  Links links;
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 0);
  EXPECT_EQ(fs[1].physfn, p);
  EXPECT_EQ(fs[2].physfn, p);
}

TEST(VirtualFunctionParents, WithoutACapabilityThatSaysItTheLinkIsRead) {
  const Bdf p(0, 3, 0, 0), q(0, 4, 0, 0);
  PciFunction limited = pf(q, 1, 1, 1);
  limited.config.reset();  // a user without privilege reads 64 bytes: no SR-IOV capability
  std::vector<PciFunction> fs{pf(p, 1, 1, 1, /*enabled=*/false), limited, vf(Bdf(0, 3, 0, 1)), vf(Bdf(0, 4, 0, 1)),
                              vf(Bdf(0, 9, 0, 1))};
  Links links;
  links.target = {{Bdf(0, 3, 0, 1), p}, {Bdf(0, 4, 0, 1), q}};
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 3);
  EXPECT_EQ(fs[2].physfn, p);
  EXPECT_EQ(fs[3].physfn, q);
  EXPECT_FALSE(fs[4].physfn);  // no PF and no link: nothing is made up
}

TEST(VirtualFunctionParents, AnAddressTwoPfsClaimIsLeftToTheLink) {
  const Bdf a(0, 3, 0, 0), b(0, 3, 0, 1), shared(0, 3, 0, 2);
  std::vector<PciFunction> fs{pf(a, 1, 2, 1), pf(b, 1, 1, 1), vf(shared)};
  Links links;
  links.target = {{shared, b}};
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 1);
  EXPECT_EQ(fs[2].physfn, b);
}

TEST(VirtualFunctionParents, AZeroStrideClaimsNothing) {
  const Bdf p(0, 3, 0, 0);
  std::vector<PciFunction> fs{pf(p, 4, 1, 0), vf(Bdf(0, 3, 0, 1))};
  Links links;
  links.target = {{Bdf(0, 3, 0, 1), p}};
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 1);
}

// Garbage in every PF's capability (each claims 65535 VFs) costs time in
// proportion to PFs x VFs, nothing per claimed address.
TEST(VirtualFunctionParents, PfsClaimingEveryAddressCostNoMemoryPerAddress) {
  std::vector<PciFunction> fs;
  const PciFunction model = pf(Bdf(0, 0, 0, 0), 0xffff, 1, 1);
  for (uint8_t bus = 0; bus < 200; ++bus) {
    PciFunction p = model;
    p.bdf = Bdf(0, bus, 0, 0);
    fs.push_back(std::move(p));
  }
  for (uint8_t bus = 0; bus < 200; ++bus) fs.push_back(vf(Bdf(0, bus, 0, 1)));
  Links links;
  find_virtual_function_parents(fs, std::ref(links));
  EXPECT_EQ(links.asked, 199);                 // each VF past bus 0 is claimed by every PF before it: left to the link
  EXPECT_EQ(fs[200].physfn, Bdf(0, 0, 0, 0));  // bus 0's VF has one claimant
}

// Through the whole read: `list`'s summary finds the same PF for every VF
// as the links do in a full read, without reading one.
TEST(VirtualFunctionParents, ASummaryReadFindsTheParentsAFullReadFinds) {
  testing::FakeSysfs sysfs;
  const Bdf port(0, 0, 1, 0), p(0, 1, 0, 0);
  ConfigBuilder bridge;
  bridge.ids(0x8086, 0x1234).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::root_port);
  sysfs.add(port, bridge);
  ConfigBuilder pfc;
  pfc.ids(0x15b3, 0x101d).class_code(0x020000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  pfc.sriov(0x100, 8, 4, 0x101e).u16(0x108, 0x19).u16(0x114, 1).u16(0x116, 1);
  sysfs.add(p, pfc, port);
  for (uint8_t fn = 1; fn <= 4; ++fn) {
    ConfigBuilder vfc;
    vfc.ids(0x15b3, 0x101e).class_code(0x020000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
    sysfs.add(Bdf(0, 1, 0, fn), vfc, port);
    sysfs.link(Bdf(0, 1, 0, fn), "physfn", p);
  }
  std::vector<Error> problems;
  const auto full = read_pci_functions(SysfsRoot(sysfs.root()), problems, Detail::full);
  const auto summary = read_pci_functions(SysfsRoot(sysfs.root()), problems, Detail::summary);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(full.size(), 6u);
  ASSERT_EQ(summary.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) testing::expect_same_shown(summary[i], full[i], full[i].bdf.str());
  EXPECT_EQ(full[5].physfn, p);
  EXPECT_FALSE(summary[5].config);  // a VF's config is not read for a summary
  EXPECT_TRUE(full[5].config);
}

}  // namespace
}  // namespace vfiokit::host

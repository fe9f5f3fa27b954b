// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/device.hpp"

#include <gtest/gtest.h>

#include "support/config_builder.hpp"
#include "support/corpus.hpp"

namespace vfiokit::pci {
namespace {

using testing::ConfigBuilder;

TEST(DecodeDevice, DecodesEveryCapabilityOfTheCorpus) {
  for (const auto& device : testing::synthetic_corpus()) {
    const DecodedDevice d = decode_device(device.config);
    EXPECT_FALSE(d.capabilities.empty()) << device.name;
    for (const auto& cap : d.capabilities) EXPECT_FALSE(cap.error) << device.name << ": " << cap.error->describe();
  }
}

TEST(DecodeDevice, LoopedExtendedChainKeepsWhatCameBefore) {
  for (const auto& device : testing::synthetic_corpus()) {
    if (device.name != "looped-extended-chain") continue;
    const DecodedDevice d = decode_device(device.config);
    ASSERT_EQ(d.chain_defects.size(), 1u);
    EXPECT_EQ(d.chain_defects[0].space, CapSpace::extended);
    EXPECT_TRUE(d.find<Acs>());
    EXPECT_TRUE(d.find<ResizableBar>());
    EXPECT_TRUE(d.has_defects());
    return;
  }
  FAIL() << "corpus entry missing";
}

TEST(DecodeDevice, ExtendedAreaOnlyForPciExpressFunctions) {
  // Linux does not read beyond 256 bytes of a conventional function.
  ConfigBuilder plain;
  plain.power_management(0x40, 3, 0).acs(0x100, 0x1f, 0x1f);
  EXPECT_FALSE(decode_device(plain.build()).find<Acs>());
  ConfigBuilder express;
  express.pci_express(0x40, PcieType::endpoint).acs(0x100, 0x1f, 0x1f);
  EXPECT_TRUE(decode_device(express.build()).find<Acs>());
}

TEST(DecodeDevice, HeaderOnlyDump) {
  ConfigBuilder b(64);
  b.ids(0x8086, 0x1234);
  const DecodedDevice d = decode_device(b.build());
  EXPECT_TRUE(d.header_only());
  EXPECT_TRUE(d.capabilities.empty());
  EXPECT_EQ(d.header.vendor_id, 0x8086);
}

TEST(DecodeDevice, AerRootRegistersOnlyForRootPorts) {
  ConfigBuilder rp;
  rp.header_type(1).pci_express(0x40, PcieType::root_port).ext_cap(0x100, 0x0001, 2);
  EXPECT_TRUE(decode_device(rp.build()).find<Aer>()->root);
  ConfigBuilder ep;
  ep.pci_express(0x40, PcieType::endpoint).ext_cap(0x100, 0x0001, 2);
  EXPECT_FALSE(decode_device(ep.build()).find<Aer>()->root);
}

TEST(DecodeDevice, CapabilityErrorIsPerCapability) {
  ConfigBuilder b;
  b.pci_express(0x40, PcieType::endpoint).ext_cap(0x100, 0x0001).ext_cap(0x140, 0x0015).u32(0x148, 0);
  const DecodedDevice d = decode_device(b.build());
  ASSERT_EQ(d.capabilities.size(), 3u);
  EXPECT_FALSE(d.capabilities[1].error);
  ASSERT_TRUE(d.capabilities[2].error);
  EXPECT_EQ(d.capabilities[2].error->offset(), 0x148u);
}

}  // namespace
}  // namespace vfiokit::pci

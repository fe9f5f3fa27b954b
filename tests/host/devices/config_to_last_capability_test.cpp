// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/config_to_last_capability.hpp"

#include <gtest/gtest.h>

#include <random>

#include "support/config_builder.hpp"
#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::host {
namespace {

using pci::PcieType;
using testing::ConfigBuilder;

// A device's config file as the live sysfs serves it: what a read asks for
// is counted, as each 4 bytes would be a read of the device.
struct Device {
  std::vector<uint8_t> config;
  size_t limit = 4096;  // what the reader may see (64 without privilege)
  size_t asked = 0;

  ConfigReadAt reader() {
    return [this](size_t offset, std::span<uint8_t> into) -> Result<size_t> {
      const size_t end = std::min({offset + into.size(), config.size(), limit});
      if (offset >= end) return size_t{0};
      std::copy(config.begin() + static_cast<ptrdiff_t>(offset), config.begin() + static_cast<ptrdiff_t>(end),
                into.begin());
      asked += end - offset;
      return end - offset;
    };
  }
};

ConfigBuilder pcie_endpoint() {
  ConfigBuilder b;
  b.ids(0x15b3, 0x101d).class_code(0x020000).header_type(0).pci_express(0x40, PcieType::endpoint);
  return b;
}

PartialConfig read(Device& d) {
  auto r = read_config_to_last_capability(d.reader(), d.config.size());
  EXPECT_TRUE(r) << r.error().describe();
  return r ? *r : PartialConfig{};
}

// What the decoder sees is the same: the same chain, and the same bytes in
// a window past every capability it finds.
void expect_same_as_whole(const std::vector<uint8_t>& whole, const PartialConfig& part) {
  ASSERT_EQ(part.bytes.size(), whole.size());
  auto a = pci::ConfigSpace::from_bytes(whole), b = pci::ConfigSpace::from_bytes(part.bytes);
  ASSERT_TRUE(a && b);
  const auto full = pci::walk_extended_capabilities(*a), partial = pci::walk_extended_capabilities(*b);
  ASSERT_EQ(full.entries.size(), partial.entries.size());
  for (size_t i = 0; i < full.entries.size(); ++i) {
    const auto& cap = full.entries[i];
    EXPECT_EQ(cap.id, partial.entries[i].id);
    EXPECT_EQ(cap.offset, partial.entries[i].offset);
    EXPECT_EQ(cap.version, partial.entries[i].version);
    const size_t end = std::min<size_t>(cap.offset + kCapabilityWindow, whole.size());
    EXPECT_TRUE(std::equal(whole.begin() + cap.offset, whole.begin() + static_cast<ptrdiff_t>(end),
                           part.bytes.begin() + cap.offset))
        << "capability at " << cap.offset;
  }
  EXPECT_EQ(full.defect.has_value(), partial.defect.has_value());
  if (full.defect && partial.defect) {
    EXPECT_EQ(full.defect->offset, partial.defect->offset);
    EXPECT_EQ(full.defect->reason, partial.defect->reason);
  }
  const auto dw = pci::decode_device(*a), dp = pci::decode_device(*b);
  EXPECT_EQ(dw.capabilities.size(), dp.capabilities.size());
  EXPECT_EQ(dw.has_defects(), dp.has_defects());
}

TEST(ConfigToLastCapability, StopsAWindowPastTheLastCapability) {
  auto b = pcie_endpoint();
  b.sriov(0x100, 255, 255, 0x101e).acs(0x140, 0x1f, 0x1d).rebar(0x180, {{0, 0x3f0, 4}});
  Device d{b.bytes()};
  const auto part = read(d);
  expect_same_as_whole(d.config, part);
  EXPECT_EQ(part.read, 0x180 + kCapabilityWindow);
  EXPECT_EQ(d.asked, part.read);
  EXPECT_LT(d.asked, 4096u / 2);
}

TEST(ConfigToLastCapability, WithoutExtendedCapabilitiesOnlyTheFirstHeaderIsRead) {
  Device d{pcie_endpoint().bytes()};
  const auto part = read(d);
  expect_same_as_whole(d.config, part);
  EXPECT_EQ(part.read, 0x104u);
}

TEST(ConfigToLastCapability, AChainFarIntoTheSpaceIsFollowedToTheEnd) {
  auto b = pcie_endpoint();
  b.dsn(0x100, 0x1122334455667788).acs(0xf40, 0x1f, 0x1d);
  Device d{b.bytes()};
  const auto part = read(d);
  expect_same_as_whole(d.config, part);
  EXPECT_EQ(part.read, 4096u);
}

TEST(ConfigToLastCapability, ALoopEndsTheReadAsItEndsTheWalk) {
  auto b = pcie_endpoint();
  b.ext_cap(0x100, 0x0003).ext_cap(0x140, 0x000d);
  b.u32(0x140, (b.bytes()[0x140] | b.bytes()[0x141] << 8) | 1u << 16 | 0x100u << 20);  // 0x140 -> 0x100
  Device d{b.bytes()};
  const auto part = read(d);
  expect_same_as_whole(d.config, part);
  EXPECT_LE(part.read, 0x140 + kCapabilityWindow);
}

TEST(ConfigToLastCapability, AnUnprivilegedReaderGetsTheHeaderAsAWholeReadWould) {
  Device d{pcie_endpoint().bytes(), 64};
  const auto part = read(d);
  EXPECT_EQ(part.bytes.size(), 64u);
  EXPECT_EQ(part.read, 64u);
}

TEST(ConfigToLastCapability, AConventionalFileIsRead256Bytes) {
  auto bytes = pcie_endpoint().bytes();
  bytes.resize(256);
  Device d{bytes};
  const auto part = read(d);
  EXPECT_EQ(part.bytes, bytes);
  EXPECT_EQ(d.asked, 256u);
}

TEST(ConfigToLastCapability, AReadThatStopsInTheExtendedSpaceShowsTheConventional) {
  auto b = pcie_endpoint();
  b.sriov(0x100, 8, 8, 0x101e);
  Device d{b.bytes(), 0x120};
  auto r = read_config_to_last_capability(d.reader(), 4096);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes.size(), 256u);
}

// Random chains through random bytes: garbage from a device must end the
// read, and the decoder must see what it would in the whole file.
TEST(ConfigToLastCapability, RandomChainsDecodeAsTheWholeFile) {
  std::mt19937 rng(20261201);
  size_t asked = 0;
  for (int i = 0; i < 3000; ++i) {
    auto bytes = pcie_endpoint().bytes();
    for (size_t at = 0x100; at < bytes.size(); ++at)
      bytes[at] = std::uniform_int_distribution<int>(0, 7)(rng) ? 0 : static_cast<uint8_t>(rng());
    uint16_t at = 0x100;
    for (int caps = std::uniform_int_distribution<int>(0, 6)(rng); caps > 0; --caps) {
      const uint16_t next = static_cast<uint16_t>(std::uniform_int_distribution<int>(0, 0x3ff)(rng) << 2);
      const uint32_t header =
          static_cast<uint32_t>(std::uniform_int_distribution<int>(1, 0x30)(rng)) | 1u << 16 | uint32_t{next} << 20;
      for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<uint8_t>(header >> (8 * k));
      if (next < 0x100) break;
      at = next;
    }
    Device d{bytes};
    const auto part = read(d);
    expect_same_as_whole(bytes, part);
    if (::testing::Test::HasFailure()) FAIL() << "image " << i;
    asked += d.asked;
  }
  EXPECT_LT(asked, 3000u * 4096);  // not every image was read whole
}

}  // namespace
}  // namespace vfiokit::host

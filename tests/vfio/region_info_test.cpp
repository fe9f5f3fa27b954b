// SPDX-License-Identifier: Apache-2.0
// The kernel's replies are built byte by byte as vfio-pci writes them
// (include/uapi/linux/vfio.h layouts), including broken ones.
#include "vfiokit/vfio/region_info.hpp"

#include <gtest/gtest.h>
#include <linux/vfio.h>

#include <cstring>

#include "vfiokit/vfio/hot_reset.hpp"
#include "vfiokit/vfio/internal/info_chain.hpp"
#include "vfiokit/vfio/internal/uapi.hpp"

namespace vfiokit::vfio {
namespace {

class Reply {
 public:
  explicit Reply(size_t size) : bytes_(size, 0) {}
  template <class T>
  Reply& put(size_t offset, T value) {
    std::memcpy(bytes_.data() + offset, &value, sizeof(T));
    return *this;
  }
  // A capability header {id, version, next} at `offset`.
  Reply& cap(size_t offset, uint16_t id, uint32_t next) {
    return put<uint16_t>(offset, id).put<uint16_t>(offset + 2, 1).put<uint32_t>(offset + 4, next);
  }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// vfio_region_info: argsz@0 flags@4 index@8 cap_offset@12 size@16 offset@24.
Reply region(uint32_t index, uint32_t flags, uint64_t size, uint32_t cap_offset, size_t total) {
  Reply r(total);
  r.put<uint32_t>(0, uint32_t(total)).put<uint32_t>(4, flags).put<uint32_t>(8, index).put<uint32_t>(12, cap_offset);
  r.put<uint64_t>(16, size).put<uint64_t>(24, uint64_t(index) << 40);
  return r;
}

constexpr uint32_t kRwMmap = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;

TEST(RegionInfo, PlainBarMapsWhole) {
  auto info = parse_region_info(region(0, kRwMmap, 0x100000, 0, 32).bytes());
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->size, 0x100000u);
  EXPECT_EQ(info->offset, 0ull);
  EXPECT_FALSE(info->sparse_areas);
  ASSERT_EQ(info->mappable_areas().size(), 1u);
  EXPECT_EQ(info->mappable_areas()[0].size, 0x100000u);
  EXPECT_EQ(region_flag_names(info->flags), "read,write,mmap");
}

// An NVMe BAR0 of 16 KiB with the MSI-X table in its middle page: vfio-pci
// reports sparse areas around it and MSIX_MAPPABLE when the platform allows.
TEST(RegionInfo, SparseAreasTypeAndMsixMappable) {
  auto r = region(4, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x4000, 32, 32 + 48 + 16 + 8);
  r.cap(32, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 80).put<uint32_t>(40, 2);
  r.put<uint64_t>(48, 0).put<uint64_t>(56, 0x2000).put<uint64_t>(64, 0x3000).put<uint64_t>(72, 0x1000);
  r.cap(80, VFIO_REGION_INFO_CAP_TYPE, 96).put<uint32_t>(88, 0x80008086).put<uint32_t>(92, 1);
  r.cap(96, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0);
  auto info = parse_region_info(r.bytes());
  ASSERT_TRUE(info) << info.error().describe();
  ASSERT_TRUE(info->sparse_areas);
  ASSERT_EQ(info->sparse_areas->size(), 2u);
  EXPECT_EQ((*info->sparse_areas)[1].offset, 0x3000u);
  EXPECT_EQ((*info->sparse_areas)[1].size, 0x1000u);
  ASSERT_TRUE(info->type);
  EXPECT_EQ(info->type->first, 0x80008086u);
  EXPECT_EQ(info->type->second, 1u);
  EXPECT_TRUE(info->msix_mappable);
  EXPECT_EQ(info->mappable_areas().size(), 2u);
}

TEST(RegionInfo, NotMmappableHasNoAreas) {
  auto info =
      parse_region_info(region(7, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 4096, 0, 32).bytes());
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->mappable_areas().empty());
  EXPECT_EQ(region_name(info->index), "CONFIG");
  EXPECT_EQ(region_name(12), "region 12");
}

TEST(RegionInfo, BrokenChainsAreErrorsNotCrashes) {
  // A chain that loops back on itself.
  auto loop = region(0, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 32, 64);
  loop.cap(32, VFIO_REGION_INFO_CAP_TYPE, 48).cap(48, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 32);
  auto a = parse_region_info(loop.bytes());
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("loops"), std::string::npos);
  // A capability pointer into the fixed struct, and one past the end.
  EXPECT_FALSE(parse_region_info(region(0, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 8, 64).bytes()));
  EXPECT_FALSE(parse_region_info(region(0, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 60, 64).bytes()));
  // More sparse areas than the capability holds.
  auto many = region(0, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 32, 64);
  many.cap(32, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0).put<uint32_t>(40, 1000);
  EXPECT_FALSE(parse_region_info(many.bytes()));
  // A sparse area that runs past the region.
  auto past = region(0, kRwMmap | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 32, 64);
  past.cap(32, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0)
      .put<uint32_t>(40, 1)
      .put<uint64_t>(48, 0x800)
      .put<uint64_t>(56, 0x1000);
  auto p = parse_region_info(past.bytes());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("runs past"), std::string::npos);
  // Shorter than the struct.
  EXPECT_FALSE(parse_region_info(std::span<const uint8_t>(region(0, 0, 0, 0, 32).bytes()).first(20)));
}

TEST(InfoChain, CapabilityExtendsToTheNextOne) {
  Reply r(64);
  r.cap(24, 1, 40).cap(40, 2, 0);
  auto caps = walk_info_chain(r.bytes(), 24, 24, "test");
  ASSERT_TRUE(caps);
  ASSERT_EQ(caps->size(), 2u);
  EXPECT_EQ((*caps)[0].bytes.size(), 16u);
  EXPECT_EQ((*caps)[1].bytes.size(), 24u);
  EXPECT_FALSE(cap_field<uint64_t>((*caps)[0], 12));  // beyond that capability
  EXPECT_TRUE(cap_field<uint64_t>((*caps)[0], 8));
  EXPECT_FALSE(walk_info_chain(r.bytes(), 26, 24, "test"));  // misaligned
}

// vfio_pci_hot_reset_info {argsz, flags, count} + {u32 id; u16 seg; u8 bus; u8 devfn}.
TEST(HotResetInfo, GroupsAndDevids) {
  Reply r(12 + 2 * 8);
  r.put<uint32_t>(0, 28).put<uint32_t>(4, 0).put<uint32_t>(8, 2);
  r.put<uint32_t>(12, 9).put<uint16_t>(16, 0).put<uint8_t>(18, 0x05).put<uint8_t>(19, 0x00);
  r.put<uint32_t>(20, 9).put<uint16_t>(24, 0).put<uint8_t>(26, 0x05).put<uint8_t>(27, 0x01);
  auto info = parse_hot_reset_info(r.bytes());
  ASSERT_TRUE(info) << info.error().describe();
  ASSERT_EQ(info->peers.size(), 2u);
  EXPECT_EQ(info->peers[1].bdf.str(), "0000:05:00.1");
  EXPECT_EQ(info->peers[1].id, 9u);
  EXPECT_TRUE(info->peers[1].owned_by_caller());

  // A cdev caller: devids, one of them not owned.
  r.put<uint32_t>(4, uapi::kHotResetFlagDevId).put<uint32_t>(20, uapi::kDevIdNotOwned);
  info = parse_hot_reset_info(r.bytes());
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->all_owned);
  EXPECT_TRUE(info->peers[0].owned_by_caller());
  EXPECT_FALSE(info->peers[1].owned_by_caller());

  // A count that does not fit the reply.
  r.put<uint32_t>(8, 3);
  EXPECT_FALSE(parse_hot_reset_info(r.bytes()));
}

TEST(HotReset, LegacyProofNeedsEveryAffectedGroup) {
  const std::vector<HotResetPeer> peers = {
      {pci::Bdf(0, 5, 0, 0), 9, false}, {pci::Bdf(0, 5, 0, 1), 9, false}, {pci::Bdf(0, 5, 1, 0), 12, false}};
  auto fds = hot_reset_group_fds(peers, {{9, 30}, {12, 31}});
  ASSERT_TRUE(fds);
  EXPECT_EQ(*fds, (std::vector<int32_t>{30, 31}));  // one fd per group
  auto refused = hot_reset_group_fds(peers, {{9, 30}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), Errc::permission);
  EXPECT_NE(refused.error().message().find("would also reset 0000:05:01.0 (group 12)"), std::string::npos)
      << refused.error().message();
}

TEST(HotReset, CdevProofNeedsEveryAffectedDeviceOwned) {
  std::vector<HotResetPeer> peers = {{pci::Bdf(0, 5, 0, 0), 3, true}, {pci::Bdf(0, 5, 0, 1), uapi::kDevIdOwned, true}};
  EXPECT_TRUE(check_devids_owned(peers));
  peers.push_back({pci::Bdf(0, 5, 0, 2), uapi::kDevIdNotOwned, true});
  auto refused = check_devids_owned(peers);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("would also reset 0000:05:00.2, not bound"), std::string::npos);
}

}  // namespace
}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "support/config_builder.hpp"
#include "vfiokit/pci/caps/resizable_bar.hpp"

namespace vfiokit::pci {
namespace {

using testing::ConfigBuilder;

TEST(ResizableBar, DecodesSeveralEntries) {
  ConfigBuilder b;
  b.rebar(0x100, {{0, 0x3ff00, 8}, {2, 0xf, 1}, {4, 0x1, 0}});
  auto r = decode_resizable_bar(b.build(), 0x100, false);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_EQ(r->entries[0].bar_index, 0u);
  EXPECT_EQ(r->entries[0].current_size(), ByteSize(256ull << 20));
  EXPECT_EQ(r->entries[0].supported_encodings(), (std::vector<unsigned>{8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(r->entries[1].bar_index, 2u);
  EXPECT_EQ(r->entries[1].current_size(), ByteSize(2ull << 20));
  EXPECT_EQ(r->entries[2].bar_index, 4u);
  EXPECT_TRUE(r->entries[2].supports(0));
  EXPECT_FALSE(r->entries[2].supports(1));
}

TEST(ResizableBar, MergesExtendedSizesFromControlBits) {
  // Control bits 31:16 announce 256 TiB (encoding 28) .. 8 EiB (43).
  ConfigBuilder b;
  b.rebar(0x100, {{0, (1ull << 19) | (1ull << 28) | (1ull << 43), 43}});
  auto r = decode_resizable_bar(b.build(), 0x100, false);
  ASSERT_TRUE(r);
  const auto& e = r->entries[0];
  EXPECT_EQ(e.capability_raw, 1u << 23);
  EXPECT_EQ(e.control_raw >> 16, 0x8001u);
  EXPECT_EQ(e.supported_encodings(), (std::vector<unsigned>{19, 28, 43}));
  EXPECT_EQ(e.current, 43u);
  EXPECT_EQ(e.current_size(), ByteSize(8ull << 60));
  EXPECT_EQ(rebar::size_of(28).str(), "256TiB");
}

TEST(ResizableBar, VfVariant) {
  ConfigBuilder b;
  b.rebar(0x100, {{0, 0x30, 5}}, true);
  auto r = decode_resizable_bar(b.build(), 0x100, true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->for_vfs);
  EXPECT_EQ(r->entries[0].current_size(), ByteSize(32ull << 20));
}

TEST(ResizableBar, RejectsBadEntryCountAndTruncation) {
  ConfigBuilder zero;
  zero.ext_cap(0x100, 0x0015).u32(0x104, 0x10).u32(0x108, 0x0);
  auto r = decode_resizable_bar(zero.build(), 0x100, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset(), 0x108u);
  EXPECT_NE(r.error().message().find("1 to 6"), std::string::npos);

  ConfigBuilder seven;
  seven.ext_cap(0x100, 0x0015).u32(0x108, 7u << 5);
  EXPECT_FALSE(decode_resizable_bar(seven.build(), 0x100, false));

  ConfigBuilder tail;  // six entries need 52 bytes; only 12 remain at 0xff4
  tail.ext_cap(0x100, 0x0001).ext_cap(0xff4, 0x0015).u32(0xffc, 6u << 5);
  r = decode_resizable_bar(tail.build(), 0xff4, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::out_of_range);
}

TEST(ResizableBar, RejectsUndefinedCurrentSize) {
  // A 6-bit BAR Size field can say 44..63, which no spec defines (found by
  // the fuzzer as a shift past 64 bits).
  ConfigBuilder b;
  b.rebar(0x100, {{0, 0x1, 0}, {2, 0x1, 0}});
  b.u32(0x110, 2u | 60u << 8);
  auto r = decode_resizable_bar(b.build(), 0x100, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset(), 0x110u);
  EXPECT_NE(r.error().message().find("60"), std::string::npos);
}

TEST(ResizableBar, EncodingConversions) {
  EXPECT_EQ(rebar::encoding_of(ByteSize(1ull << 20)), 0);
  EXPECT_EQ(rebar::encoding_of(ByteSize(16ull << 30)), 14);
  EXPECT_EQ(rebar::encoding_of(ByteSize(8ull << 60)), 43);
  EXPECT_EQ(rebar::encoding_of(ByteSize(3ull << 20)), -1);
  EXPECT_EQ(rebar::encoding_of(ByteSize(512ull << 10)), -1);
}

}  // namespace
}  // namespace vfiokit::pci

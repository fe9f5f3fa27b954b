// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/dump_format.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "support/config_builder.hpp"

namespace vfiokit::pci {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string header_lines(int rows) {
  std::string s;
  for (int r = 0; r < rows; ++r) {
    s += fmt::format("{:02x}:", r * 16);
    for (int i = 0; i < 16; ++i) s += fmt::format(" {:02x}", (r * 16 + i) & 0xff);
    s += "\n";
  }
  return s;
}

TEST(DumpFormat, ParsesLspciTextWithSeveralDevices) {
  const std::string text = "00:02.0 VGA compatible controller: Foo\n" + header_lines(4) + "\n" +
                           "0001:03:00.1 Ethernet controller: Bar\n" + header_lines(16) + "\n";
  auto devices = parse_dump(as_bytes(text), "t.txt");
  ASSERT_TRUE(devices) << devices.error().describe();
  ASSERT_EQ(devices->size(), 2u);
  EXPECT_EQ((*devices)[0].bdf->str(), "0000:00:02.0");
  EXPECT_EQ((*devices)[0].title, "VGA compatible controller: Foo");
  EXPECT_EQ((*devices)[0].config.size(), 64u);
  EXPECT_EQ((*devices)[1].bdf->str(), "0001:03:00.1");
  EXPECT_EQ((*devices)[1].config.size(), 256u);
  EXPECT_EQ(*(*devices)[1].config.read8(0x42), 0x42);
  EXPECT_EQ((*devices)[1].line, 7u);
}

TEST(DumpFormat, IgnoresVerboseLinesAndCrLf) {
  const std::string text = "00:02.0 X\r\n\tControl: I/O+\r\n" + header_lines(4);
  auto devices = parse_dump(as_bytes(text), "t.txt");
  ASSERT_TRUE(devices) << devices.error().describe();
  EXPECT_EQ(devices->size(), 1u);
}

TEST(DumpFormat, AcceptsHexWithoutDeviceLine) {
  auto devices = parse_dump(as_bytes(header_lines(4)), "t.txt");
  ASSERT_TRUE(devices);
  EXPECT_FALSE((*devices)[0].bdf);
}

TEST(DumpFormat, RawBinary) {
  std::vector<uint8_t> raw(256, 0);
  raw[0] = 0x86;
  raw[1] = 0x80;
  auto devices = parse_dump(raw, "config");
  ASSERT_TRUE(devices);
  EXPECT_EQ(*(*devices)[0].config.read16(0), 0x8086);
  EXPECT_FALSE(parse_dump(std::vector<uint8_t>(100, 0), "config"));
}

TEST(DumpFormat, MalformedInputNamesLineAndWhat) {
  struct Case {
    std::string text;
    std::string expect;
  };
  const Case cases[] = {
      {"00:02.0 X\n00: 86 80 zz\n", "t.txt:2"},
      {"00:02.0 X\n00: 86  80\n", "column"},
      {"00:02.0 X\n" + header_lines(3), "48 bytes"},
      {"00:02.0 X\nhello world\n", "neither a device line"},
      {"00:02.0 X\n1000: 00\n", "beyond the 4096"},
      {"00:02.0 X\n00: 00\n3f: 00\n", "gap"},
      {"", "0 bytes"},
      {"00:02.0 X\n", "no config-space bytes"},
  };
  for (const auto& c : cases) {
    auto r = parse_dump(as_bytes(c.text), "t.txt");
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().describe().find(c.expect), std::string::npos) << r.error().describe();
  }
}

TEST(DumpFormat, FormatRoundTrips) {
  testing::ConfigBuilder b;
  b.pci_express(0x40, PcieType::endpoint).rebar(0x100, {{0, 0xff, 3}});
  const std::string text = format_dump(Bdf(0, 3, 0, 0), "Test", b.build());
  EXPECT_EQ(text.substr(0, 18), "0000:03:00.0 Test\n");
  EXPECT_NE(text.find("\n100: "), std::string::npos);
  auto back = parse_dump(as_bytes(text), "t");
  ASSERT_TRUE(back);
  EXPECT_TRUE(std::equal(back->at(0).config.bytes().begin(), back->at(0).config.bytes().end(), b.bytes().begin()));
}

}  // namespace
}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
// Passthrough profile files (host/profile/profile.hpp): what they say, and
// every way a file can be wrong, each one clear error naming the file, the
// line and the key.
#include "vfiokit/host/profile/profile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

constexpr const char* kProfile = R"(# the VM's devices
name = "win11"

[device.gpu]
id = "1002:73bf"
serial = "00-11-22-33-44-55-66-77"
bar0 = "16G"
bar2 = "max"
d3cold_allowed = false
reset_method = "flr bus"

[device.audio]
id = "1002:ab28"
subsystem = "1002:0e3a"

[device.nic]
slot = "3"
function = 1
driver = "vfio-pci"

[device.disk]
bdf = "0000:05:00.0"
)";

Result<Profile> parse(const std::string& text) { return parse_profile(text, "vm.toml", "vm"); }

std::string error_of(const std::string& text) {
  auto p = parse(text);
  return p ? "parsed" : p.error().describe();
}

TEST(ProfileFile, SaysWhatEachDeviceNeedsInTheFilesOrder) {
  auto p = parse(kProfile);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->name, "win11");
  EXPECT_FALSE(p->force);
  ASSERT_EQ(p->devices.size(), 4u);
  const ProfileDevice& gpu = p->devices[0];
  EXPECT_EQ(gpu.name, "gpu");
  EXPECT_EQ(gpu.line, 4u);
  EXPECT_EQ(gpu.identity.id, (IdPair{0x1002, 0x73bf}));
  EXPECT_EQ(gpu.identity.serial, 0x0011223344556677u);
  ASSERT_EQ(gpu.bars.size(), 2u);
  EXPECT_EQ(gpu.bars[0].bar, 0u);
  EXPECT_EQ(gpu.bars[0].size, ByteSize(16ull << 30));
  EXPECT_EQ(gpu.bars[1].bar, 2u);
  EXPECT_FALSE(gpu.bars[1].size);  // max
  EXPECT_EQ(gpu.d3cold_allowed, false);
  EXPECT_EQ(gpu.reset_method, "flr bus");
  EXPECT_EQ(gpu.driver, "vfio-pci");
  EXPECT_EQ(p->devices[1].identity.subsystem, (IdPair{0x1002, 0x0e3a}));
  EXPECT_EQ(p->devices[2].identity.slot, "3");
  EXPECT_EQ(p->devices[2].identity.function, 1u);
  EXPECT_EQ(p->devices[3].identity.bdf, pci::Bdf(0, 5, 0, 0));
  // What `profile create` writes reads back the same.
  auto again = parse(profile_to_toml(*p));
  ASSERT_TRUE(again) << again.error().describe() << "\n" << profile_to_toml(*p);
  EXPECT_EQ(profile_to_toml(*again), profile_to_toml(*p));
}

TEST(ProfileFile, TheNameDefaultsToTheFilesAndMustBeSafeAsAFileName) {
  auto p = parse("[device.a]\nid = \"8086:10d3\"\n");
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->name, "vm");
  EXPECT_NE(error_of("name = \"../etc\"\n[device.a]\nid = \"8086:10d3\"\n").find("vm.toml:1"), std::string::npos);
  EXPECT_NE(error_of("name = \".hidden\"\n[device.a]\nid = \"8086:10d3\"\n").find("is not a profile name"),
            std::string::npos);
}

TEST(ProfileFile, UnknownKeysAreNamedWithTheirLine) {
  EXPECT_NE(error_of("[device.gpu]\nid = \"1002:73bf\"\ncolour = \"red\"\n")
                .find("vm.toml:3: unknown key 'colour' in device 'gpu'"),
            std::string::npos)
      << error_of("[device.gpu]\nid = \"1002:73bf\"\ncolour = \"red\"\n");
  EXPECT_NE(error_of("forse = true\n[device.gpu]\nid = \"1002:73bf\"\n").find("vm.toml:1: unknown key 'forse'"),
            std::string::npos);
}

TEST(ProfileFile, BadValuesSayWhatIsExpected) {
  const std::pair<const char*, const char*> cases[] = {
      {"[device.g]\nid = \"10002:73bf\"\n", "vm.toml:2: 'id' is \"10002:73bf\": write vendor:device in hex"},
      {"[device.g]\nid = \"1002:73bf\"\nbar2 = \"3X\"\n", "vm.toml:3: 'bar2' is \"3X\": use a size"},
      {"[device.g]\nid = \"1002:73bf\"\nbar6 = \"1G\"\n", "vm.toml:3: unknown key 'bar6'"},
      {"[device.g]\nid = \"1002:73bf\"\nserial = \"0011223344556677\"\n", "'serial' is \"0011223344556677\""},
      {"[device.g]\nid = \"1002:73bf\"\nd3cold_allowed = \"no\"\n", "'d3cold_allowed' must be true or false"},
      {"[device.g]\nid = \"1002:73bf\"\nreset_method = \"flr;reboot\"\n", "'reset_method' is \"flr;reboot\""},
      {"[device.g]\nslot = \"../../x\"\n", "'slot' is \"../../x\": not a slot name"},
      {"[device.g]\nbdf = \"05:00.9\"\n", "vm.toml:2: 'bdf' is \"05:00.9\""},
      {"[device.g]\ndriver = \"../vfio\"\nid = \"1002:73bf\"\n", "'driver' is \"../vfio\""},
      {"[device.g]\nid = 1002\n", "'id' must be a string"},
      {"[device.g]\nfunction = 1\nid = \"1002:73bf\"\n", "function goes with slot"},
      {"[device.g]\ndriver = \"vfio-pci\"\n", "says nothing to find it by"},
      {"[device.g]\nserial = \"00-11-22-33-44-55-66-77\"\n", "give the id too"},
      {"[device.g]\nid = \"1002:73bf\"\nbdf = \"0000:05:00.0\"\n", "give one of id, slot or bdf"},
      {"name = \"x\"\n", "names no device"},
      {"[device]\ngpu = 3\n", "device 'gpu' must be a table"},
  };
  for (const auto& [text, expected] : cases)
    EXPECT_NE(error_of(text).find(expected), std::string::npos) << text << " -> " << error_of(text);
}

TEST(ProfileFile, TheSameDeviceTwiceIsRefused) {
  EXPECT_NE(error_of("[device.a]\nid = \"8086:10d3\"\n[device.b]\nid = \"8086:10d3\"\n")
                .find("vm.toml:3: devices 'a' and 'b' are the same device (id 8086:10d3)"),
            std::string::npos);
  // A table named twice is TOML's own error.
  EXPECT_NE(error_of("[device.a]\nid = \"8086:10d3\"\n[device.a]\nid = \"8086:10d4\"\n").find("vm.toml:3: not TOML"),
            std::string::npos)
      << error_of("[device.a]\nid = \"8086:10d3\"\n[device.a]\nid = \"8086:10d4\"\n");
}

TEST(ProfileFile, TextThatIsNotTomlOrNotUtf8IsRefusedWithItsLine) {
  EXPECT_NE(error_of("[device.a\nid = 1\n").find("vm.toml:1: not TOML"), std::string::npos);
  EXPECT_NE(error_of("name = \"x\"\nid = \"\xff\xfe\"\n").find("vm.toml:2: not TOML"), std::string::npos)
      << error_of("name = \"x\"\nid = \"\xff\xfe\"\n");
}

TEST(ProfileFile, AFileIsReadOnlyWhenItIsARegularFileOfSaneSize) {
  testing::TempDir dir;
  const auto file = dir.path() / "gaming.toml";
  std::ofstream(file) << "[device.gpu]\nid = \"1002:73bf\"\n";
  auto p = read_profile(file);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->name, "gaming");
  std::filesystem::create_symlink(file, dir.path() / "link.toml");
  auto linked = read_profile(dir.path() / "link.toml");
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.error().message().find("symbolic link"), std::string::npos);
  ASSERT_EQ(::mkfifo((dir.path() / "fifo.toml").c_str(), 0600), 0);
  auto fifo = read_profile(dir.path() / "fifo.toml");  // must not block
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().message().find("not a regular file"), std::string::npos);
  std::ofstream(dir.path() / "big.toml") << std::string((1 << 20) + 1, '#');
  auto big = read_profile(dir.path() / "big.toml");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message().find("larger than"), std::string::npos);
  auto missing = read_profile(dir.path() / "none.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("no such profile file"), std::string::npos);
}

}  // namespace
}  // namespace vfiokit::host

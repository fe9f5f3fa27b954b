// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/function_attributes.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fakes/fake_sysfs.hpp"

namespace vfiokit::host {
namespace {

using Attr = FunctionAttributes;

std::vector<DirEntry> entries(std::initializer_list<const char*> names) {
  std::vector<DirEntry> out;
  for (const char* n : names) out.push_back({n, false, false});
  return out;
}

// An Ethernet endpoint with these IDs in `sysfs`; its directory.
std::filesystem::path add_endpoint(testing::FakeSysfs& sysfs, pci::Bdf bdf, uint16_t vendor, uint16_t device) {
  testing::ConfigBuilder b;
  b.ids(vendor, device).class_code(0x020000).header_type(0);
  sysfs.add(bdf, b);
  return sysfs.device_dir(bdf);
}

TEST(FunctionAttributes, OnePassFindsTheFilesVfiokitReads) {
  const auto a = Attr::of(entries(
      {"broken_parity_status", "config", "driver", "iommu_group", "msi_bus", "physfn", "power", "uevent", "vfio-dev"}));
  EXPECT_TRUE(a.has(Attr::config));
  EXPECT_TRUE(a.has(Attr::driver));
  EXPECT_TRUE(a.has(Attr::iommu_group));
  EXPECT_TRUE(a.has(Attr::physfn));
  EXPECT_TRUE(a.has(Attr::uevent));
  EXPECT_TRUE(a.has(Attr::vfio_dev));
  EXPECT_FALSE(a.has(Attr::driver_override));
  EXPECT_FALSE(a.has(Attr::resource));
  EXPECT_FALSE(a.has(Attr::vendor));
}

TEST(FunctionAttributes, EveryNameHasItsFile) {
  for (unsigned n = 0; n < Attr::count; ++n) {
    const auto name = static_cast<Attr::Name>(n);
    const std::string file(Attr::file(name));
    ASSERT_FALSE(file.empty()) << n;
    EXPECT_TRUE(Attr::of(entries({file.c_str()})).has(name)) << file;
  }
}

TEST(FunctionAttributes, ResizeFilesNameBarsZeroToFive) {
  const auto a = Attr::of(entries({"resource", "resource0_resize", "resource2", "resource2_resize", "resource5_resize",
                                   "resource6_resize", "resourceX_resize", "resource_resize", "resource10_resize"}));
  EXPECT_TRUE(a.has(Attr::resource));
  EXPECT_TRUE(a.has_resize(0));
  EXPECT_FALSE(a.has_resize(1));
  EXPECT_TRUE(a.has_resize(2));
  EXPECT_FALSE(a.has_resize(3));
  EXPECT_FALSE(a.has_resize(4));
  EXPECT_TRUE(a.has_resize(5));
}

// A file the listing did not show is not opened: its value stays absent
// (the listing is the one existence check).
TEST(FunctionAttributes, OnlyListedFilesAreRead) {
  testing::FakeSysfs sysfs;
  const auto path = add_endpoint(sysfs, pci::Bdf(0, 0, 2, 0), 0x8086, 0x10d3);
  std::ofstream(path / "numa_node") << "1\n";
  auto dir = SysfsDir::open(path);
  ASSERT_TRUE(dir);
  PciFunction listed, unlisted;
  read_function_attributes(*dir, Attr::of(entries({"numa_node", "uevent", "config"})), Detail::full, listed);
  read_function_attributes(*dir, Attr::of(entries({"uevent", "config"})), Detail::full, unlisted);
  EXPECT_EQ(listed.numa_node, 1);
  EXPECT_FALSE(unlisted.numa_node);
  EXPECT_EQ(unlisted.device_id, 0x10d3);
  EXPECT_TRUE(unlisted.config);
  EXPECT_TRUE(unlisted.problems.empty());
}

// Detail::summary (what `list` shows) does not read a virtual function's
// config space unless it has a resize file; a damaged one shows which reads
// happened.
TEST(FunctionAttributes, ASummaryReadsAVirtualFunctionsConfigOnlyForItsResizableBars) {
  testing::FakeSysfs sysfs;
  const auto path = add_endpoint(sysfs, pci::Bdf(0, 3, 0, 2), 0x15b3, 0x101e);
  std::ofstream(path / "config", std::ios::trunc) << "garbage";  // 7 bytes: not even a header
  auto dir = SysfsDir::open(path);
  ASSERT_TRUE(dir);
  const auto read = [&](std::initializer_list<const char*> listed, Detail detail) {
    PciFunction f;
    read_function_attributes(*dir, Attr::of(entries(listed)), detail, f);
    return f;
  };

  const PciFunction summary = read({"uevent", "config", "physfn"}, Detail::summary);
  EXPECT_EQ(summary.device_id, 0x101e);
  EXPECT_FALSE(summary.config);
  EXPECT_TRUE(summary.problems.empty());
  EXPECT_FALSE(summary.is_bridge());

  for (const PciFunction& f : {read({"uevent", "config", "physfn"}, Detail::full),
                               read({"uevent", "config", "physfn", "resource0_resize"}, Detail::summary),
                               read({"uevent", "config"}, Detail::summary)}) {
    EXPECT_EQ(f.device_id, 0x101e);
    ASSERT_EQ(f.problems.size(), 1u);
    EXPECT_NE(f.problems[0].describe().find("only 7 bytes"), std::string::npos) << f.problems[0].describe();
  }
}

TEST(FunctionAttributes, ResourceLinesAreThreeHexFieldsAndAMalformedOneIsAProblem) {
  testing::FakeSysfs sysfs;
  const auto path = add_endpoint(sysfs, pci::Bdf(0, 3, 0, 0), 0x8086, 0x10d3);
  std::ofstream(path / "resource", std::ios::trunc)
      << "0x00000000fe000000 0x00000000fe01ffff 0x0000000000040200\n"  // as resource_show writes it
      << "0x0 0x0 0x0  \t\n"                                           // short fields, trailing blanks
      << "0xFE000000\t0xFE00FFFF 0x200\n"                              // either case, any blanks between
      << "0x1 0x2\n"                                                   // a field short
      << "0x1 0x2 0x3 4\n"                                             // something after
      << "0x1 0x2 0x-3\n"                                              // not hex
      << "0x1 0x2 0x10000000000000000\n"                               // past 64 bits
      << " 0x1 0x2 0x3\n"                                              // a blank before
      << "0x10x2 0x3\n";                                               // no blank between
  auto dir = SysfsDir::open(path);
  ASSERT_TRUE(dir);
  PciFunction f;
  read_function_attributes(*dir, Attr::of(entries({"uevent", "config", "resource"})), Detail::summary, f);
  ASSERT_EQ(f.resources.size(), 3u);
  EXPECT_EQ(f.resources[0].start, 0xfe000000u);
  EXPECT_EQ(f.resources[0].end, 0xfe01ffffu);
  EXPECT_EQ(f.resources[0].flags, 0x40200u);
  EXPECT_EQ(f.resources[1].size(), 0u);
  EXPECT_EQ(f.resources[2].size(), 0x10000u);
  EXPECT_EQ(f.resources[2].flags, 0x200u);
  ASSERT_EQ(f.problems.size(), 6u);
  for (size_t i = 0; i < f.problems.size(); ++i)
    EXPECT_NE(f.problems[i].describe().find(fmt::format("line {} is not", i + 4)), std::string::npos)
        << f.problems[i].describe();
}

}  // namespace
}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// `vfiokit list` and `vfiokit groups` on lab snapshots, on a broken
// snapshot, and on this machine (which has no IOMMU).
#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/scale_host.hpp"
#include "support/temp_dir.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

std::string fixture(const std::string& kernel) {
  return std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-" + kernel + ".tar.gz";
}

TEST(CliGroups, LabSnapshotGroupsAgreeWithPrediction) {
  for (const char* kernel : {"debian-6.1", "debian-6.12", "custom"}) {
    auto r = run_process({VFIOKIT_BIN, "groups", "--json", "--strict", "--sysfs-root", fixture(kernel)});
    ASSERT_EQ(r.exit_code, 0) << kernel << ": " << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["iommu"], true);
    EXPECT_EQ(j["source"], "kernel");
    EXPECT_TRUE(j["prediction_mismatches"].empty()) << j["prediction_mismatches"].dump();
    EXPECT_EQ(j["groups"].size(), 20u) << kernel;
    bool saw_bridge_group = false;
    for (const auto& g : j["groups"]) {
      if (g["devices"].size() != 4) continue;  // the pcie-pci-bridge and the three behind it
      saw_bridge_group = true;
      EXPECT_EQ(g["viable"], false) << "e1000 behind the bridge is bound to its host driver";
      EXPECT_NE(g["blockers"][0].get<std::string>().find("bound to e1000"), std::string::npos);
    }
    EXPECT_TRUE(saw_bridge_group) << kernel;
  }
}

TEST(CliGroups, TextExplainsTheMultifunctionSlot) {
  auto r = run_process({VFIOKIT_BIN, "groups", "--sysfs-root", fixture("debian-6.12")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prediction agrees with the kernel for every function"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("are functions of one multifunction device without isolation"), std::string::npos);
  EXPECT_NE(r.out.find("is a PCIe-to-PCI bridge: it forwards DMA"), std::string::npos);
}

TEST(CliList, ListsEveryFunctionOfASnapshot) {
  auto r = run_process({VFIOKIT_BIN, "list", "--json", "--sysfs-root", fixture("custom")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["functions"].size(), 29u);
  unsigned with_group = 0, nvme = 0;
  for (const auto& f : j["functions"]) {
    if (!f["iommu_group"].is_null()) ++with_group;
    if (f["vendor_id"] == 0x1b36 && f["device_id"] == 0x0010) {
      ++nvme;
      EXPECT_EQ(f["driver"], "nvme");
    }
  }
  EXPECT_EQ(with_group, 29u);
  EXPECT_EQ(nvme, 1u);
}

// This machine, like the development and CI machines, has no IOMMU.
TEST(CliGroups, NoIommuIsSaidPlainly) {
  ASSERT_TRUE(!std::filesystem::exists("/sys/kernel/iommu_groups") ||
              std::filesystem::is_empty("/sys/kernel/iommu_groups"))
      << "this test expects a machine without IOMMU groups";
  for (const char* command : {"groups", "list"}) {
    auto r = run_process({VFIOKIT_BIN, command});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("intel_iommu=on or amd_iommu=on"), std::string::npos) << r.out;
  }
  auto j = nlohmann::json::parse(run_process({VFIOKIT_BIN, "groups", "--json"}).out);
  EXPECT_EQ(j["iommu"], false);
  EXPECT_EQ(j["source"], "predicted");
  EXPECT_FALSE(j["groups"].empty());
}

// The Debian 6.12 lab snapshot, unpacked to be damaged; `attribute` writes
// one of a function's files.
struct UnpackedSnapshot {
  UnpackedSnapshot() {
    auto r = run_process({"tar", "-xzf", fixture("debian-6.12"), "-C", dir.path().string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  std::filesystem::path devices() const { return dir.path() / "sys/bus/pci/devices"; }
  std::filesystem::path function_dir(const char* bdf) const { return std::filesystem::canonical(devices() / bdf); }
  void attribute(const char* bdf, const char* name, std::string_view content) const {
    dir.write((function_dir(bdf) / name).lexically_relative(dir.path()).string(), content);
  }
  std::string root() const { return dir.path().string(); }
  testing::TempDir dir;
};

TEST(CliGroups, BrokenSnapshotStillRunsAndStrictFails) {
  UnpackedSnapshot snapshot;
  const auto& dir = snapshot.dir;
  const auto devices = snapshot.devices();
  snapshot.attribute("0000:0a:00.0", "vendor", "garbage\n");
  snapshot.attribute("0000:0a:00.0", "config", "short");
  std::filesystem::remove(snapshot.function_dir("0000:0b:00.0") / "class");
  std::filesystem::create_symlink("../../../devices/pci0000:00/nowhere", devices / "0000:0f:00.0");
  std::filesystem::create_directories(dir.path() / "sys/kernel/iommu_groups/99");
  const std::string root = dir.path().string();
  for (const char* command : {"groups", "list"}) {
    auto loose = run_process({VFIOKIT_BIN, command, "--sysfs-root", root});
    EXPECT_EQ(loose.exit_code, 0) << command << ": " << loose.err;
    EXPECT_NE(loose.err.find("0000:0a:00.0"), std::string::npos) << loose.err;
    EXPECT_NE(loose.err.find("garbage"), std::string::npos) << loose.err;
    EXPECT_NE(loose.err.find("0000:0f:00.0"), std::string::npos) << loose.err;
    auto strict = run_process({VFIOKIT_BIN, command, "--strict", "--sysfs-root", root});
    EXPECT_EQ(strict.exit_code, 1) << command;
  }
  auto bad = run_process({VFIOKIT_BIN, "groups", "--sysfs-root", (dir.path() / "nope.tar.gz").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no such sysfs directory or snapshot"), std::string::npos) << bad.err;
}

// Two of the kernel's groups whose names parse to one number ("1" and
// "01", which only a crafted snapshot has) stay two rows: a row holds one
// kernel group's members, never another's.
TEST(CliGroups, GroupsNamedWithOneNumberStaySeparateRows) {
  UnpackedSnapshot snapshot;
  const auto groups = snapshot.dir.path() / "sys/kernel/iommu_groups";
  std::filesystem::copy(groups / "1", groups / "01",
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  auto r = run_process({VFIOKIT_BIN, "groups", "--json", "--sysfs-root", snapshot.root()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["groups"].size(), 21u);
  int ones = 0;
  for (const auto& g : j["groups"]) {
    if (g["id"] != 1) continue;
    ++ones;
    ASSERT_EQ(g["devices"].size(), 1u) << g.dump();
    EXPECT_EQ(g["devices"][0]["bdf"], "0000:00:01.0");
  }
  EXPECT_EQ(ones, 2);
  auto text = run_process({VFIOKIT_BIN, "groups", "--sysfs-root", snapshot.root()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  size_t rows = 0;
  for (size_t at = text.out.find("\ngroup 1 "); at != std::string::npos; at = text.out.find("\ngroup 1 ", at + 1))
    ++rows;
  EXPECT_EQ(rows, 2u) << text.out;
}

// A sysfs attribute holds whatever bytes were written to it: every JSON
// output still comes out, as JSON, with such bytes replaced by U+FFFD.
TEST(CliJson, BytesThatAreNotTextDoNotEndTheProgram) {
  UnpackedSnapshot snapshot;
  snapshot.attribute("0000:0a:00.0", "driver_override", "bad\xff\xfename\n");
  const std::string root = snapshot.root();
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"list", "--json"}, {"groups", "--json"}, {"explain", "0000:0a:00.0", "--json"}}) {
    argv.insert(argv.begin(), VFIOKIT_BIN);
    argv.insert(argv.end(), {"--sysfs-root", root});
    auto out = run_process(argv);
    EXPECT_EQ(out.exit_code, 0) << argv[1] << ": " << out.err;
    EXPECT_TRUE(nlohmann::json::accept(out.out)) << argv[1] << ": " << out.out;
    if (argv[1] == "list") {
      // One U+FFFD for each byte that is not text.
      EXPECT_NE(out.out.find("bad\xef\xbf\xbd\xef\xbf\xbdname"), std::string::npos) << out.out;
    }
  }
}

}  // namespace
}  // namespace vfiokit

namespace vfiokit {
namespace {

TEST(CliExplain, SaysWhatComesWithTheDeviceAndWhy) {
  const std::string root = std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-debian-6.12.tar.gz";
  // pci-testdev behind the pcie-pci-bridge, found in the snapshot by its IDs.
  auto list = nlohmann::json::parse(testing::run_process({VFIOKIT_BIN, "list", "--json", "--sysfs-root", root}).out);
  std::string testdev, nvme;
  for (const auto& f : list["functions"]) {
    if (f["vendor_id"] == 0x1b36 && f["device_id"] == 0x0005) testdev = f["bdf"];
    if (f["vendor_id"] == 0x1b36 && f["device_id"] == 0x0010) nvme = f["bdf"];
  }
  ASSERT_FALSE(testdev.empty());
  auto r = testing::run_process({VFIOKIT_BIN, "explain", testdev, "--json", "--sysfs-root", root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["group_source"], "kernel");
  EXPECT_EQ(j["prediction_agrees"], true);
  EXPECT_EQ(j["assign_with"].size(), 2u) << "e1000 and edu share the bridge's group";
  ASSERT_EQ(j["isolation"].size(), 1u);
  EXPECT_NE(j["isolation"][0].get<std::string>().find("PCI-Express to PCI/PCI-X Bridge"), std::string::npos);

  r = testing::run_process({VFIOKIT_BIN, "explain", nvme, "--sysfs-root", root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("alone: it can be assigned by itself"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Reset: flr"), std::string::npos) << r.out;

  r = testing::run_process({VFIOKIT_BIN, "explain", "0000:7f:00.0", "--sysfs-root", root});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such PCI device"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vfiokit

namespace vfiokit {
namespace {

TEST(CliGroups, ExampleHostAndPictures) {
  testing::TempDir dir;
  const auto dot = dir.path() / "groups.dot";
  const auto svg = dir.path() / "groups.svg";
  auto r = testing::run_process({VFIOKIT_BIN, "groups", "--example", "--dot", dot.string(), "--svg", svg.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("20 IOMMU groups"), std::string::npos) << r.out;
  std::ifstream dot_in(dot), svg_in(svg);
  const std::string dot_text((std::istreambuf_iterator<char>(dot_in)), {});
  const std::string svg_text((std::istreambuf_iterator<char>(svg_in)), {});
  EXPECT_NE(dot_text.find("subgraph \"cluster_group_16\""), std::string::npos);
  EXPECT_NE(dot_text.find("-> \"0000:07:02.0\""), std::string::npos) << "the bridge's edges are drawn";
  EXPECT_NE(svg_text.find("<svg"), std::string::npos);
  EXPECT_NE(svg_text.find("group 16"), std::string::npos);
  auto list = testing::run_process({VFIOKIT_BIN, "list", "--example", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["functions"].size(), 29u);
}

}  // namespace
}  // namespace vfiokit

namespace vfiokit {
namespace {

// As an archive and as a directory (read as it is, and its sys/).
TEST(CliSnapshot, RoundTripsWhatTheCommandsRead) {
  testing::TempDir dir;
  const std::string fixture = std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-debian-6.1.tar.gz";
  for (const char* name : {"host.tar.gz", "host"}) {
    const auto out = (dir.path() / name).string();
    auto r = testing::run_process({VFIOKIT_BIN, "snapshot", "--sysfs-root", fixture, out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("29 PCI functions, 20 IOMMU groups"), std::string::npos) << r.out;
    for (const char* command : {"list", "groups"}) {
      auto a = testing::run_process({VFIOKIT_BIN, command, "--json", "--strict", "--sysfs-root", fixture});
      for (const auto& root : {out, out + "/sys"}) {
        if (root.ends_with(".tar.gz/sys")) continue;
        auto b = testing::run_process({VFIOKIT_BIN, command, "--json", "--strict", "--sysfs-root", root});
        ASSERT_EQ(b.exit_code, 0) << root << ": " << b.err;
        EXPECT_EQ(a.out, b.out) << command << " " << root;
      }
    }
  }
  // A directory is written new, never into or over one.
  auto again = testing::run_process({VFIOKIT_BIN, "snapshot", "--sysfs-root", fixture, (dir.path() / "host").string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("cannot create the snapshot: File exists"), std::string::npos) << again.err;
}

TEST(CliSnapshot, CapturesThisMachine) {
  testing::TempDir dir;
  const auto out = (dir.path() / "me.tar.gz").string();
  auto r = testing::run_process({VFIOKIT_BIN, "snapshot", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto live = testing::run_process({VFIOKIT_BIN, "list", "--json"});
  auto captured = testing::run_process({VFIOKIT_BIN, "list", "--json", "--sysfs-root", out});
  ASSERT_EQ(captured.exit_code, 0) << captured.err;
  EXPECT_EQ(nlohmann::json::parse(live.out)["functions"].size(),
            nlohmann::json::parse(captured.out)["functions"].size());
  auto bad = testing::run_process({VFIOKIT_BIN, "snapshot", (dir.path() / "me.zip").string()});
  EXPECT_EQ(bad.exit_code, 2);
}

// The command's heap grows in huge pages where the kernel offers them and
// in small ones where it does not (cli/heap_backing.cpp): a large host's
// documents are the same either way. PR_SET_THP_DISABLE, which a child
// inherits, takes the offer away.
TEST(CliHeap, ALargeHostReadsTheSameWithAndWithoutHugePages) {
  const auto& host = testing::scale_host({.functions = 2048, .iommu_groups = false, .vf_driver = ""});
  const std::string root = host.sysfs.root().string();
  for (const char* command : {"list", "groups"}) {
    const auto huge = run_process({VFIOKIT_BIN, command, "--json", "--sysfs-root", root});
    ASSERT_EQ(::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
    const auto small = run_process({VFIOKIT_BIN, command, "--json", "--sysfs-root", root});
    ASSERT_EQ(::prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
    ASSERT_EQ(huge.exit_code, 0) << command << ": " << huge.err;
    ASSERT_EQ(small.exit_code, 0) << command << ": " << small.err;
    EXPECT_EQ(huge.out, small.out) << command;
    // Every function of the tree is in the document (the switch's ports too).
    const auto j = nlohmann::json::parse(small.out);
    size_t shown = 0;
    if (command == std::string("list")) shown = j["functions"].size();
    else
      for (const auto& g : j["groups"]) shown += g["devices"].size();
    EXPECT_GE(shown, host.functions.size()) << command;
  }
}

}  // namespace
}  // namespace vfiokit

// SPDX-License-Identifier: Apache-2.0
// The selection options against lspci's own: for each lab snapshot, what
// `lspci -F` selects from the snapshot's lspci -xxxx dump with -s or -d is
// what `vfiokit list -s/-d` selects from its sysfs tree. Then what lspci
// cannot select (--class, --driver, --viable, --bindable), and what list
// shows of each function.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

std::string fixture(const std::string& kernel) {
  return std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-" + kernel + ".tar.gz";
}

std::string unpack(const std::string& kernel, const testing::TempDir& dir) {
  const auto r = run_process({"tar", "xzf", fixture(kernel), "-C", dir.path().string()});
  if (r.exit_code != 0) throw std::runtime_error("tar: " + r.err);
  return dir.path().string();
}

std::set<std::string> lspci_selects(const std::string& dump, const std::string& option, const std::string& pattern) {
  const auto r = run_process({"lspci", "-F", dump, "-D", option, pattern});
  EXPECT_EQ(r.exit_code, 0) << "lspci " << option << " " << pattern << ": " << r.err;
  std::set<std::string> out;
  for (size_t at = 0; at < r.out.size();) {
    const size_t end = r.out.find('\n', at);
    if (end > at) out.insert(r.out.substr(at, 12));
    at = end == std::string::npos ? r.out.size() : end + 1;
  }
  return out;
}

std::set<std::string> vfiokit_selects(const std::string& tree, const std::vector<std::string>& options) {
  std::vector<std::string> args = {VFIOKIT_BIN, "list", "--json", "--sysfs-root", tree};
  args.insert(args.end(), options.begin(), options.end());
  const auto r = run_process(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& f : doc["functions"]) out.insert(f["bdf"].get<std::string>());
  return out;
}

TEST(CliSelection, SlotAndIdPatternsSelectWhatLspciSelects) {
  const std::vector<std::string> slots = {"00:02.0",     "02",  "07:", ".1",  "0000:08:00", "1f.2",  "*:*.0", "03:01.0",
                                          "0000:00:1f.", "00:", "1f",  "ff:", "0001:00:",   "07:03", ""};
  const std::vector<std::string> ids = {"8086:",     ":000c",    "1b36:000c", "::0200", "::0604", "8086::0200",
                                        "1234:11e8", "*:*:00ff", "104c:",     ":10d3",  "ffff:",  "::0108"};
  for (const char* kernel : {"debian-6.1", "debian-6.12", "custom"}) {
    testing::TempDir dir;
    const std::string root = unpack(kernel, dir);
    const std::string dump = root + "/lspci-xxxx.txt";
    size_t nonempty = 0;
    for (const auto& s : slots) {
      const auto theirs = lspci_selects(dump, "-s", s);
      EXPECT_EQ(vfiokit_selects(root, {"-s", s}), theirs) << kernel << ": -s '" << s << "'";
      nonempty += !theirs.empty();
    }
    for (const auto& d : ids) {
      const auto theirs = lspci_selects(dump, "-d", d);
      EXPECT_EQ(vfiokit_selects(root, {"-d", d}), theirs) << kernel << ": -d '" << d << "'";
      nonempty += !theirs.empty();
    }
    EXPECT_GE(nonempty, 20u) << "the patterns must select something to compare";
  }
}

TEST(CliSelection, ClassDriverViableAndBindable) {
  const std::string tree = fixture("debian-6.12");
  EXPECT_EQ(vfiokit_selects(tree, {"--class", "ethernet"}),
            (std::set<std::string>{"0000:04:00.0", "0000:07:01.0", "0000:08:00.0", "0000:09:00.0", "0000:0b:00.0"}));
  EXPECT_EQ(vfiokit_selects(tree, {"--class", "0200"}), vfiokit_selects(tree, {"--class", "ethernet"}));
  EXPECT_EQ(vfiokit_selects(tree, {"--class", "01"}), (std::set<std::string>{"0000:00:1f.2", "0000:0a:00.0"}));
  EXPECT_EQ(vfiokit_selects(tree, {"--driver", "e1000e"}),
            (std::set<std::string>{"0000:04:00.0", "0000:08:00.0", "0000:0b:00.0"}));
  EXPECT_EQ(vfiokit_selects(tree, {"--driver", "e1000e", "-s", "08:"}), (std::set<std::string>{"0000:08:00.0"}));
  // Group 15 (08:00.0 on e1000e with 08:00.1) is not viable; group 9 (a
  // root port and the edu device behind it, no driver) is.
  const auto viable = vfiokit_selects(tree, {"--viable"});
  EXPECT_TRUE(viable.count("0000:01:00.0"));
  EXPECT_FALSE(viable.count("0000:08:00.1"));
  EXPECT_FALSE(viable.count("0000:0a:00.0"));  // nvme
  // Bindable needs no --force: the boot VGA device's group is not.
  const auto bindable = vfiokit_selects(tree, {"--bindable"});
  EXPECT_TRUE(bindable.count("0000:08:00.1"));
  EXPECT_FALSE(bindable.count("0000:00:01.0"));
  EXPECT_TRUE(vfiokit_selects(tree, {"--driver", "none", "--class", "ethernet"}).empty());
  auto r = run_process({VFIOKIT_BIN, "groups", "--json", "--sysfs-root", tree, "-d", "8086:10d3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<unsigned> groups;
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& g : doc["groups"]) groups.insert(g["id"].get<unsigned>());
  EXPECT_EQ(groups, (std::set<unsigned>{12, 15, 19}));
  for (const auto& bad : std::vector<std::vector<std::string>>{{"-s", "00:20.0"}, {"-d", "8086"}, {"-d", "xyz:"}}) {
    r = run_process({VFIOKIT_BIN, "list", "--sysfs-root", tree, bad[0], bad[1]});
    EXPECT_EQ(r.exit_code, 2) << bad[1];
  }
}

// A tree with what a live host has below its functions: an interface, a
// disk with a partition, and the modules.alias of its kernel.
TEST(CliList, ShowsModulesInterfacesDisksAndNamesLikeLspci) {
  testing::TempDir dir;
  const std::string root = unpack("debian-6.12", dir);
  const auto sys = std::filesystem::path(root) / "sys";
  std::filesystem::create_directories(sys / "class/net");
  std::filesystem::create_directories(sys / "class/block");
  ASSERT_EQ(
      ::symlink("../../devices/pci0000:00/0000:00:03.0/0000:0b:00.0/net/enp11s0", (sys / "class/net/enp11s0").c_str()),
      0);
  ASSERT_EQ(::symlink("../../devices/pci0000:00/0000:00:04.0/0000:0a:00.0/nvme/nvme0/nvme0n1",
                      (sys / "class/block/nvme0n1").c_str()),
            0);
  dir.write("modules.alias",
            "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
            "alias pci:v*d*sv*sd*bc01sc08i02* nvme\n");
  auto r = run_process({VFIOKIT_BIN, "list", "--sysfs-root", root, "-s", "0a:"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    modules: nvme; disks: nvme0n1\n"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "list", "--json", "--sysfs-root", root, "-s", "0b:00.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "vfiokit.list/2");
  const auto& f = j["functions"].at(0);
  EXPECT_EQ(f["kernel_modules"], nlohmann::json({"e1000e"}));
  EXPECT_EQ(f["interfaces"], nlohmann::json({"enp11s0"}));
  EXPECT_EQ(f["class_name"], "Ethernet controller");
  EXPECT_EQ(f["vendor_name"], "Intel Corporation");
  EXPECT_TRUE(f["in_use"].empty()) << "what uses an interface is the live system's, not a snapshot's";
  // A snapshot of that tree keeps them.
  const std::string snapshot = (dir.path() / "again.tar.gz").string();
  r = run_process({VFIOKIT_BIN, "snapshot", snapshot, "--sysfs-root", root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_process({VFIOKIT_BIN, "list", "--json", "--sysfs-root", snapshot, "-s", "0a:"});
  const auto again = nlohmann::json::parse(r.out)["functions"].at(0);
  EXPECT_EQ(again["kernel_modules"], nlohmann::json({"nvme"}));
  EXPECT_EQ(again["block_devices"], nlohmann::json({"nvme0n1"}));
}

// Every row's columns line up, whatever a cell holds ("unknown").
TEST(CliList, ColumnsLineUp) {
  const auto r = run_process({VFIOKIT_BIN, "list", "--example"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string header = r.out.substr(0, r.out.find('\n'));
  std::vector<size_t> starts;  // of the left-aligned columns after BDF and GROUP
  for (const char* heading : {"DRIVER", "RESET", "POWER", "REBAR", "DEVICE"}) {
    starts.push_back(header.find(heading));
    ASSERT_NE(starts.back(), std::string::npos) << heading;
  }
  size_t rows = 0;
  for (size_t at = header.size() + 1; at < r.out.size();) {
    const size_t end = r.out.find('\n', at);
    const std::string line = r.out.substr(at, end - at);
    at = end + 1;
    if (line.rfind("0000:", 0) != 0) continue;
    ++rows;
    for (size_t column : starts) {
      ASSERT_GT(line.size(), column) << line;
      EXPECT_NE(line[column], ' ') << "a column starts at " << column << ":\n" << header << "\n" << line;
      EXPECT_EQ(line[column - 1], ' ') << header << "\n" << line;
    }
  }
  EXPECT_EQ(rows, 29u);
}

}  // namespace
}  // namespace vfiokit

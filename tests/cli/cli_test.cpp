// SPDX-License-Identifier: Apache-2.0
// The vfiokit binary as a user runs it: output, exit status, error lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/config_builder.hpp"
#include "support/corpus.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

std::filesystem::path corpus_file(const testing::TempDir& dir, const std::string& name) {
  for (const auto& d : testing::synthetic_corpus())
    if (d.name == name) return dir.write(name + ".lspci", pci::format_dump(d.bdf, d.name, d.config));
  throw std::runtime_error("no corpus entry " + name);
}

size_t count_lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliDecode, PrintsRebarSizesAndAcsVerdict) {
  testing::TempDir dir;
  auto r = run_process({VFIOKIT_BIN, "decode", corpus_file(dir, "gpu-three-rebars").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("BAR1: current 256MiB; supported 256MiB 512MiB 1GiB 2GiB 4GiB 8GiB 16GiB"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("BAR5: current 256TiB; supported 1MiB 256TiB 512TiB 1PiB"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "decode", corpus_file(dir, "partial-acs-root-port").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("does NOT isolate: not enabled: RR CR"), std::string::npos) << r.out;
}

TEST(CliDecode, JsonFollowsTheSchema) {
  testing::TempDir dir;
  auto r = run_process({VFIOKIT_BIN, "decode", "--json", corpus_file(dir, "sriov-vf-rebar").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "vfiokit.devices/2");
  ASSERT_EQ(j["devices"].size(), 1u);
  const auto& d = j["devices"][0];
  EXPECT_EQ(d["bdf"], "0000:05:00.0");
  EXPECT_EQ(d["vendor_id"], 0x15b3);
  bool saw_vf_rebar = false, saw_sriov = false;
  for (const auto& cap : d["capabilities"]) {
    if (cap["id"] == 0x24 && cap["space"] == "extended") {
      saw_vf_rebar = true;
      EXPECT_EQ(cap["decoded"]["for_vfs"], true);
      EXPECT_EQ(cap["decoded"]["bars"][0]["current_size"]["bytes"], 32ull << 20);
    }
    if (cap["id"] == 0x10 && cap["space"] == "extended") {
      saw_sriov = true;
      EXPECT_EQ(cap["decoded"]["total_vfs"], 16);
      EXPECT_EQ(cap["decoded"]["num_vfs"], 4);
    }
  }
  EXPECT_TRUE(saw_vf_rebar);
  EXPECT_TRUE(saw_sriov);
}

TEST(CliDecode, LoopedChainPrintsWhatCameBeforeAndFails) {
  testing::TempDir dir;
  auto r = run_process({VFIOKIT_BIN, "decode", corpus_file(dir, "looped-extended-chain").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[140 v1] Access Control Services"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[160 v1] Resizable BAR"), std::string::npos) << r.out;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("loops back"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(at 0x160)"), std::string::npos) << r.err;
}

TEST(CliDecode, BadInputIsOneLineAndNonZero) {
  testing::TempDir dir;
  const std::pair<std::string, std::string> cases[] = {
      {"garbage.txt", "this is not a dump\n"},
      {"short.txt", "00:02.0 X\n00: 86 80 d3 10\n"},
      {"badhex.txt", "00:02.0 X\n00: 86 8g\n"},
      {"odd.bin", std::string(100, '\x01')},
  };
  for (const auto& [name, content] : cases) {
    auto r = run_process({VFIOKIT_BIN, "decode", dir.write(name, content).string()});
    EXPECT_EQ(r.exit_code, 1) << name;
    EXPECT_EQ(count_lines(r.err), 1u) << name << ": " << r.err;
    EXPECT_EQ(r.err.rfind("vfiokit: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  }
  auto missing = run_process({VFIOKIT_BIN, "decode", (dir.path() / "nope").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;
  auto usage = run_process({VFIOKIT_BIN, "decode"});
  EXPECT_EQ(usage.exit_code, 2);
}

TEST(CliDecode, ReadsStandardInput) {
  testing::TempDir dir;
  const auto file = corpus_file(dir, "nvme-like");
  auto r = run_process({"sh", "-c", std::string("cat '") + file.string() + "' | " + VFIOKIT_BIN + " decode -"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0000:08:00.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MSI-X: enable- 65 vectors; table BAR0+0x2000"), std::string::npos) << r.out;
}

TEST(CliShow, ReadsASysfsTreeFromOptionOrEnvironment) {
  testing::TempDir dir;
  testing::ConfigBuilder b;
  b.ids(0x1b36, 0x0010).class_code(0x010802).pci_express(0x40, pci::PcieType::endpoint, true);
  const auto& bytes = b.bytes();
  dir.write("bus/pci/devices/0000:00:04.0/config", std::string(bytes.begin(), bytes.end()));
  auto r = run_process({VFIOKIT_BIN, "show", "00:04.0", "--sysfs-root", dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Endpoint: FLR+"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "show", "0000:00:04.0", "--json"}, {"VFIOKIT_SYSFS_ROOT=" + dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["devices"][0]["limited_by_privilege"], false);
}

TEST(CliShow, BadAddressesAreClearErrors) {
  testing::TempDir dir;
  auto r = run_process({VFIOKIT_BIN, "show", "00:20.0", "--sysfs-root", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2) << "a malformed address is a usage error";
  EXPECT_NE(r.err.find("device must be at most 1f"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "show", "00:04.0", "--sysfs-root", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such PCI device"), std::string::npos) << r.err;
}

// On the live /sys an unprivileged reader gets 64 bytes: vfiokit says so.
TEST(CliShow, UnprivilegedReadOfLiveSysfsSaysSo) {
  std::string first;
  for (const auto& e : std::filesystem::directory_iterator("/sys/bus/pci/devices")) {
    first = e.path().filename().string();
    break;
  }
  ASSERT_FALSE(first.empty()) << "this machine has no PCI devices in /sys to read";
  std::vector<std::string> argv = {VFIOKIT_BIN, "show", first, "--json"};
  if (::geteuid() == 0)
    argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  auto r = run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto d = nlohmann::json::parse(r.out)["devices"][0];
  EXPECT_EQ(d["config_size"], 64);
  EXPECT_EQ(d["header_only"], true);
  EXPECT_EQ(d["limited_by_privilege"], true);
  EXPECT_NE(r.err.find("CAP_SYS_ADMIN"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vfiokit

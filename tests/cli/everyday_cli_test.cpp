// SPDX-License-Identifier: Apache-2.0
// The everyday surface every command shares: exit status, error lines,
// help and suggestions, the three forms of --sysfs-root, pipes and colour.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/host/change/journal.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

std::string fixture(const std::string& kernel = "debian-6.12") {
  return std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-" + kernel + ".tar.gz";
}

// The snapshot unpacked into a directory, as a user who ran tar has it.
std::string unpacked_fixture(const testing::TempDir& dir) {
  const auto r = run_process({"tar", "xzf", fixture(), "-C", dir.path().string()});
  if (r.exit_code != 0) throw std::runtime_error("tar failed: " + r.err);
  return dir.path().string();
}

bool every_line_starts_vfiokit(const std::string& err) {
  size_t start = 0;
  while (start < err.size()) {
    const size_t end = err.find('\n', start);
    const std::string line = err.substr(start, end - start);
    if (line.rfind("vfiokit:", 0) != 0 && line != "Run with --help for more information.") return false;
    start = end == std::string::npos ? err.size() : end + 1;
  }
  return true;
}

TEST(CliExitStatus, UsageErrorsAreTwoInEveryCommand) {
  const std::vector<std::vector<std::string>> usage_errors = {
      {"bind", "--dry-run"},
      {"release", "--dry-run"},
      {"show", "zz"},
      {"explain", "1:2:3"},
      {"power", "00:02.0", "--wakeup"},
      {"probe", "zz"},
      {"migrate", "save", "zz", "/nonexistent/state"},
      {"mdev", "remove", "not-a-uuid"},
      {"mdev", "create", "mtty-2", "--uuid", "1234"},
      {"rebar", "00:03.0", "--bar", "9", "--size", "1G", "--dry-run"},
      {"rebar", "00:03.0", "--bar", "0", "--size", "huge", "--dry-run", "--sysfs-root", fixture()},
      {"list", "--no-such-option"},
      {"groups", "extra-argument"},
      {"lst"},
      {"help", "lsit"},
      {},
  };
  for (auto args : usage_errors) {
    args.insert(args.begin(), VFIOKIT_BIN);
    const auto r = run_process(args);
    EXPECT_EQ(r.exit_code, 2) << args[1 % args.size()] << ": " << r.err;
    EXPECT_TRUE(every_line_starts_vfiokit(r.err)) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliExitStatus, FailuresAreOneAndSuccessIsZero) {
  auto r = run_process({VFIOKIT_BIN, "show", "00:1f.7", "--sysfs-root", fixture()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(every_line_starts_vfiokit(r.err)) << r.err;
  r = run_process({VFIOKIT_BIN, "list", "--sysfs-root", "/nonexistent"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = run_process({VFIOKIT_BIN, "list", "--sysfs-root", fixture()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliHelp, HelpIsACommandAndUnknownCommandsGetTheNearest) {
  auto r = run_process({VFIOKIT_BIN, "help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: vfiokit [OPTIONS] SUBCOMMAND"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "help", "bind"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: vfiokit bind"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "lst"});
  EXPECT_EQ(r.err.rfind("vfiokit: unknown command 'lst'; did you mean list?\n", 0), 0u) << r.err;
  r = run_process({VFIOKIT_BIN, "gropus"});
  EXPECT_NE(r.err.find("did you mean groups?"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "frobnicate"});
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
}

TEST(CliHelp, UsageNamesTheProgramNotItsBuildPath) {
  const auto r = run_process({VFIOKIT_BIN, "show", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: vfiokit show"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(VFIOKIT_BIN), std::string::npos) << r.out;
  const auto e = run_process({VFIOKIT_BIN, "show"});
  EXPECT_EQ(e.err.rfind("vfiokit: ", 0), 0u) << e.err;
}

TEST(CliSysfsRoot, ShowAndPowerReadTheThreeForms) {
  testing::TempDir dir;
  const std::string unpacked = unpacked_fixture(dir);
  for (const std::string& root : {fixture(), unpacked, unpacked + "/sys"}) {
    auto r = run_process({VFIOKIT_BIN, "show", "00:02.0", "--sysfs-root", root, "--json"});
    ASSERT_EQ(r.exit_code, 0) << root << ": " << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["devices"][0]["device_id"], 0x000c) << root;
    r = run_process({VFIOKIT_BIN, "power", "00:02.0", "--sysfs-root", root, "--json"});
    ASSERT_EQ(r.exit_code, 0) << root << ": " << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["power"]["power_state"], "D0") << root;
  }
}

TEST(CliShow, BarSizesAndTheDriverFromTheHost) {
  auto r = run_process({VFIOKIT_BIN, "show", "0b:00.0", "--sysfs-root", fixture()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  BAR0: mem32 at 0x41240000 [size=128KiB]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  BAR2: io at 0x2000 [size=32B]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Kernel driver in use: e1000e\n"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "show", "0b:00.0", "--json", "--sysfs-root", fixture()});
  const auto j = nlohmann::json::parse(r.out);
  const auto& device = j["devices"][0];
  EXPECT_EQ(device["bars"][0]["size"], 128 * 1024);
  EXPECT_EQ(device["driver"], "e1000e");
  r = run_process({VFIOKIT_BIN, "show", "0c:00.0", "--json", "--sysfs-root", fixture()});
  EXPECT_TRUE(nlohmann::json::parse(r.out)["devices"][0]["driver"].is_null()) << r.out;
}

TEST(CliSysfsRoot, MdevListChecksTheTreeAndNamesWhatTheUserGave) {
  auto r = run_process({VFIOKIT_BIN, "mdev", "list", "--sysfs-root", "/nonexistent"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("vfiokit: /nonexistent: "), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "mdev", "list", "--sysfs-root", fixture()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no class/mdev_bus in " + fixture()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("/sys/class"), std::string::npos) << r.out;
}

TEST(CliPipes, AClosedPipeEndsOutputQuietly) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{VFIOKIT_BIN, "list", "--example"},
                                               {VFIOKIT_BIN, "groups", "--example", "--json"},
                                               {VFIOKIT_BIN, "help"}}) {
    const auto r = testing::run_process_into_closed_pipe(args);
    EXPECT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, "") << args[1];
  }
}

TEST(CliColour, OnlyOnATerminalAndNeverWithNoColor) {
  const std::vector<std::string> args = {VFIOKIT_BIN, "groups", "--example"};
  auto r = testing::run_process_in_terminal(args, {"NO_COLOR=", "TERM=xterm"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\033[32mviable\033[0m"), std::string::npos) << r.out.substr(0, 400);
  EXPECT_NE(r.out.find("\033[31mnot viable"), std::string::npos);
  r = testing::run_process_in_terminal(args, {"NO_COLOR=1", "TERM=xterm"});
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
  r = testing::run_process_in_terminal(args, {"NO_COLOR=", "TERM=dumb"});
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
  r = run_process(args, {"NO_COLOR=", "TERM=xterm"});
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "a file is not a terminal";
  r = testing::run_process_in_terminal({VFIOKIT_BIN, "groups", "--example", "--json"}, {"NO_COLOR=", "TERM=xterm"});
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "JSON is never coloured";
}

TEST(CliGroups, DotToStandardOutputIsTheWholeOutput) {
  testing::TempDir dir;
  const auto r = run_process({VFIOKIT_BIN, "groups", "--example", "--dot", "-"}, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("digraph pci {", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("rankdir=TB"), std::string::npos);
  EXPECT_NE(r.out.find("cluster_legend"), std::string::npos);
  EXPECT_NE(r.out.find("group 12: not viable"), std::string::npos);
  EXPECT_NE(r.out.find("group 9: viable"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists("-"));
}

TEST(CliGroups, PictureErrorsNameTheUsersPath) {
  auto r = run_process({VFIOKIT_BIN, "groups", "--example", "--svg", "/nonexistent/dir/x.svg"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("vfiokit: /nonexistent/dir/x.svg: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(".dot"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "groups", "--example", "--dot", "/nonexistent/dir/x.dot"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("vfiokit: /nonexistent/dir/x.dot: cannot write"), std::string::npos) << r.err;
}

// A link planted where the picture goes is replaced, never written
// through: vfiokit runs as root, often in /tmp.
TEST(CliGroups, APictureNeverWritesThroughALink) {
  testing::TempDir dir;
  const auto victim = dir.write("victim", "keep\n");
  for (const char* option : {"--dot", "--svg"}) {
    const auto link = dir.path() / (std::string("picture") + option);
    std::filesystem::create_symlink(victim, link);
    const auto r = run_process({VFIOKIT_BIN, "groups", "--example", option, link.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(std::filesystem::is_symlink(link)) << option;
    std::ifstream in(victim);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "keep\n") << option;
  }
}

TEST(CliGroups, TreeDrawsTheHierarchyWithGroups) {
  const auto r = run_process({VFIOKIT_BIN, "groups", "--example", "--tree"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The pcie-pci-bridge's group: the bridge and all three behind it.
  EXPECT_NE(r.out.find("│  └─ 06:00.0  [group 16] 1b36:000e"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("│     ├─ 07:01.0  [group 16] 8086:100e  e1000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("│     │  └─ 05:00.0  [group 18]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("└─ 00:1f.3  [group 10]"), std::string::npos) << r.out;
}

TEST(CliText, NoLineEndsInASpace) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{VFIOKIT_BIN, "list", "--example"},
                                               {VFIOKIT_BIN, "groups", "--example", "--tree"},
                                               {VFIOKIT_BIN, "explain", "00:01.0", "--example"},
                                               {VFIOKIT_BIN, "explain", "08:00.1", "--example"}}) {
    const auto r = run_process(args);
    EXPECT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    EXPECT_EQ(r.out.find(" \n"), std::string::npos) << args[1] << ":\n" << r.out;
  }
}

// An entry a run left behind when it was killed after the journal said
// "applying": `status` names it and points at `recover`.
TEST(CliStatus, ShowsUnfinishedResizesAndMdevCreations) {
  testing::TempDir dir;
  const std::string tree = unpacked_fixture(dir) + "/sys";
  auto r = run_process({VFIOKIT_BIN, "rebar", "07:03.0", "--bar", "0", "--rehearse", "--simulate", tree},
                       {"VFIOKIT_TEST_KILL_AFTER_STEP=2"});
  ASSERT_EQ(r.exit_code, 128 + 9) << "a test build kills itself after step 2: " << r.err;
  const std::string journal = tree + "/vfiokit-sim/journal";
  host::JournalEntry mdev;
  mdev.key = {"mdev", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"};
  mdev.steps = {"write the UUID to mdev_supported_types/mtty-2/create", "check the mdev exists"};
  mdev.pid = 0;  // no process: interrupted
  mdev.record = R"({"uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"0000:00:02.0","type":"mtty-2"})";
  testing::TempDir written;
  std::filesystem::copy_file(written.write("m.json", host::journal_entry_to_json(mdev)),
                             std::filesystem::path(journal) / mdev.key.file_name());
  r = run_process({VFIOKIT_BIN, "status", "--simulate", tree, "--rules-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0000:07:03.0 BAR 0: a rehearsal of a resize 1MiB -> 1MiB, interrupted at step"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("holds nothing"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "status", "--json", "--simulate", tree, "--rules-dir", dir.path().string()});
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 2u) << r.out;
  EXPECT_EQ(j["changes"][0]["kind"], "mdev");
  EXPECT_EQ(j["changes"][1]["kind"], "resize");
  EXPECT_EQ(j["changes"][1]["running"], false);
}

// The plan first, then each step as it runs with how long it took.
TEST(CliProgress, StepsAreNumberedAndTimedAfterThePlan) {
  testing::TempDir dir;
  const std::string tree = unpacked_fixture(dir) + "/sys";
  const auto r = run_process({VFIOKIT_BIN, "rebar", "07:03.0", "--bar", "0", "--rehearse", "--simulate", tree});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t plan = r.out.find("steps:\n  1. soft-remove 0000:07:01.0");
  ASSERT_NE(plan, std::string::npos) << r.out;
  size_t at = plan;
  for (int k = 1; k <= 7; ++k) {
    at = r.out.find(fmt::format("\nstep {}/7 ", k), at);
    ASSERT_NE(at, std::string::npos) << "step " << k << ":\n" << r.out;
    const size_t end = r.out.find('\n', at + 1);
    const std::string line = r.out.substr(at + 1, end - at - 1);
    EXPECT_TRUE(std::regex_search(line, std::regex(R"( \.\.\. ok \((\d+ ms|\d+\.\d s)\)$)"))) << line;
  }
  EXPECT_NE(r.out.find("step 4/7 rescan the PCI bus"), std::string::npos) << r.out;
}

TEST(CliStatus, ListsPersistedRules) {
  testing::TempDir rules, journal;
  rules.write("70-vfiokit-0000:03:00.0.rules",
              "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:03:00.0|0000:03:00.1\", "
              "RUN+=\"/usr/bin/vfiokit bind --driver vfio-pci %k\"\n");
  rules.write("99-other.rules", "# not vfiokit's\n");
  auto r = run_process(
      {VFIOKIT_BIN, "status", "--journal-dir", journal.path().string(), "--rules-dir", rules.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("persisted: 0000:03:00.0 0000:03:00.1 bound to vfio-pci at boot by /usr/bin/vfiokit"),
            std::string::npos)
      << r.out;
  r = run_process({VFIOKIT_BIN, "status", "--json", "--journal-dir", journal.path().string(), "--rules-dir",
                   rules.path().string()});
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["persisted"].size(), 1u) << r.out;
  EXPECT_EQ(j["persisted"][0]["endpoints"], nlohmann::json({"0000:03:00.0", "0000:03:00.1"}));
  EXPECT_EQ(j["persisted"][0]["driver"], "vfio-pci");
}

// What a command loads at start: libarchive and libxml2 (eleven shared
// objects with their own dependencies, ICU among them) only when a snapshot
// or a domain's XML is read, and libpci never. The dynamic linker's own
// account (LD_DEBUG=files) says which objects were loaded.
TEST(EverydayCli, StartingLoadsNeitherLibarchiveNorLibxml2NorLibpci) {
  const auto loaded = [](const std::vector<std::string>& argv) {
    const auto r = run_process(argv, {"LD_DEBUG=files"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.err;
  };
  const std::string version = loaded({VFIOKIT_BIN, "--version"});
  EXPECT_NE(version.find("libc.so.6"), std::string::npos) << version;  // the account is there
  for (const char* lib : {"libarchive", "libxml2", "libicu", "libpci", "libudev"})
    EXPECT_EQ(version.find(lib), std::string::npos) << lib << " loaded by --version:\n" << version;
  testing::TempDir dir;
  const std::string listed = loaded({VFIOKIT_BIN, "list", "--sysfs-root", unpacked_fixture(dir) + "/sys"});
  EXPECT_EQ(listed.find("libarchive"), std::string::npos) << listed;
  // A snapshot archive does load it.
  const std::string example = loaded({VFIOKIT_BIN, "list", "--sysfs-root", fixture()});
  EXPECT_NE(example.find("libarchive.so.13"), std::string::npos) << example;
}

}  // namespace
}  // namespace vfiokit

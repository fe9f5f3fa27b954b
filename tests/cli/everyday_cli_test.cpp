// The everyday surface every command shares: exit status, error lines,
// help and suggestions, the three forms of --sysfs-root, pipes and colour.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

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

}  // namespace
}  // namespace vfiokit

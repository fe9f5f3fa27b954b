// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/tree_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What the directory holds, names only, in order.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TreeWriter, AppearsWholeAndOnlyWhenFinished) {
  testing::TempDir dir;
  const auto out = dir.path() / "host";
  auto w = TreeWriter::create(out);
  ASSERT_TRUE(w) << w.error().describe();
  ASSERT_TRUE(w->add_dir("sys"));
  ASSERT_TRUE(w->add_dir("sys/devices"));
  ASSERT_TRUE(w->add_file("sys/devices/vendor", "0x8086\n"));
  ASSERT_TRUE(w->add_dir("sys/bus"));
  ASSERT_TRUE(w->add_link("sys/bus/dev", "../devices"));
  ASSERT_TRUE(w->add_file("iomem", ""));
  EXPECT_FALSE(fs::exists(out)) << "the destination has its name before the tree is complete";
  ASSERT_TRUE(w->finish());
  EXPECT_EQ(read_text(out / "sys/bus/dev/vendor"), "0x8086\n");
  EXPECT_EQ(fs::read_symlink(out / "sys/bus/dev"), "../devices");
  EXPECT_TRUE(fs::is_regular_file(out / "iomem"));
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u) << "config spaces are root's to read";
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"host"});
}

TEST(TreeWriter, AnUnfinishedTreeLeavesNothing) {
  testing::TempDir dir;
  {
    auto w = TreeWriter::create(dir.path() / "host/");
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->add_dir("sys"));
    ASSERT_TRUE(w->add_file("sys/x", "1"));
  }
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(TreeWriter, NeverReplacesOrFollowsWhatIsAtTheDestination) {
  testing::TempDir dir;
  const auto victim = dir.path() / "victim";
  fs::create_directory(victim);
  // Something there before: a directory, a link to one.
  EXPECT_FALSE(TreeWriter::create(victim));
  fs::create_directory_symlink(victim, dir.path() / "link");
  auto refused = TreeWriter::create(dir.path() / "link");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("File exists"), std::string::npos) << refused.error().describe();
  // Planted while the tree is written: an empty directory, which a plain
  // rename would replace, or a link, which it would replace too.
  for (const bool as_link : {false, true}) {
    const auto out = dir.path() / (as_link ? "late-link" : "late-dir");
    auto w = TreeWriter::create(out);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->add_file("x", "1"));
    if (as_link) fs::create_directory_symlink(victim, out);
    else fs::create_directory(out);
    EXPECT_FALSE(w->finish()) << out;
  }
  EXPECT_TRUE(fs::is_empty(victim));
  EXPECT_TRUE(fs::is_empty(dir.path() / "late-dir"));
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"late-dir", "late-link", "link", "victim"}));
}

TEST(TreeWriter, EntriesStayInside) {
  testing::TempDir dir;
  auto w = TreeWriter::create(dir.path() / "host");
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->add_dir("sys"));
  EXPECT_FALSE(w->add_file("../escape", "x"));
  EXPECT_FALSE(w->add_file("/tmp/escape", "x"));
  EXPECT_FALSE(w->add_file("", "x"));
  EXPECT_FALSE(w->add_link("sys/out", "../../elsewhere"));
  EXPECT_FALSE(w->add_link("sys/abs", "/etc"));
  // Nothing goes through a link an earlier entry made, nor over a file.
  ASSERT_TRUE(w->add_link("sys/up", ".."));
  EXPECT_FALSE(w->add_file("sys/up/x", "x"));
  ASSERT_TRUE(w->add_file("sys/f", "1"));
  EXPECT_FALSE(w->add_file("sys/f", "2"));
  EXPECT_FALSE(w->add_dir("sys/f"));
  ASSERT_TRUE(w->finish());
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"host"});
  EXPECT_EQ(names_in(dir.path() / "host"), std::vector<std::string>{"sys"});
  EXPECT_EQ(read_text(dir.path() / "host/sys/f"), "1");
}

TEST(TreeWriter, NamesThatAreNoNewDirectoryAreRefused) {
  EXPECT_FALSE(TreeWriter::create("/"));
  EXPECT_FALSE(TreeWriter::create("."));
  EXPECT_FALSE(TreeWriter::create(".."));
  EXPECT_FALSE(TreeWriter::create("/no/such/parent/host"));
}

}  // namespace
}  // namespace vfiokit::host

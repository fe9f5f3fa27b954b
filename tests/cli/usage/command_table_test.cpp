// SPDX-License-Identifier: Apache-2.0
// The command table main() builds a run's command model from: each entry
// adds the command it is named after, and a command line gets the commands
// it needs (the one it names, all otherwise).
#include <gtest/gtest.h>

#include <set>

#include "vfiokit/cli/app.hpp"

namespace vfiokit::cli {
namespace {

std::vector<std::string> names_of(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// Builds the model for a command line, as main() does.
std::vector<std::string> built_for(std::vector<std::string> words) {
  std::vector<char*> argv;
  words.insert(words.begin(), "vfiokit");
  for (auto& w : words) argv.push_back(w.data());
  CLI::App app{"test", "vfiokit"};
  const auto runners = add_commands_for(app, int(argv.size()), argv.data());
  auto names = names_of(app);
  EXPECT_EQ(runners.size(), names.size());
  return names;
}

TEST(CommandTable, EachEntryAddsTheCommandItIsNamedAfter) {
  std::set<std::string_view> seen;
  for (const auto& command : command_table()) {
    CLI::App app{"test", "vfiokit"};
    (void)command.add(app);
    EXPECT_EQ(names_of(app), std::vector<std::string>{std::string(command.name)});
    EXPECT_TRUE(seen.insert(command.name).second) << command.name << " twice";
  }
  CLI::App app{"test", "vfiokit"};
  EXPECT_EQ(add_commands(app).size(), command_table().size());
  EXPECT_EQ(names_of(app), command_names());
}

TEST(CommandTable, ACommandLineGetsOnlyTheCommandItNames) {
  EXPECT_EQ(built_for({"list", "--json"}), std::vector<std::string>{"list"});
  EXPECT_EQ(built_for({"rebar", "resize", "--help"}), std::vector<std::string>{"rebar"});
  EXPECT_EQ(built_for({"--no-color", "virt-config"}), std::vector<std::string>{"virt-config"});
  // Help, a bare command line and an unknown word list every command.
  EXPECT_EQ(built_for({"--help"}), command_names());
  EXPECT_EQ(built_for({"--version", "--help"}), command_names());
  EXPECT_EQ(built_for({}), command_names());
  EXPECT_EQ(built_for({"help", "bind"}), command_names());
  EXPECT_EQ(built_for({"lsit"}), command_names());
}

TEST(CommandTable, TheCommandWordIsTheFirstThatIsNotAnOption) {
  std::vector<std::string> words = {"vfiokit", "--x", "", "show", "list"};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  EXPECT_EQ(command_word(int(argv.size()), argv.data()), "show");
  EXPECT_EQ(command_word(2, argv.data()), "");
}

}  // namespace
}  // namespace vfiokit::cli

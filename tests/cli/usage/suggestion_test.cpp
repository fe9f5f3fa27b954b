// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/usage/suggestion.hpp"

#include <gtest/gtest.h>

namespace vfiokit::cli {
namespace {

const std::vector<std::string> kCommands = {"list", "groups", "show", "status", "bind", "release", "rebar", "recover"};

TEST(Suggestion, TyposFindTheirCommand) {
  EXPECT_EQ(nearest_name("lst", kCommands), "list");
  EXPECT_EQ(nearest_name("lsit", kCommands), "list");  // two letters swapped
  EXPECT_EQ(nearest_name("gropus", kCommands), "groups");
  EXPECT_EQ(nearest_name("relase", kCommands), "release");
  EXPECT_EQ(nearest_name("staus", kCommands), "status");
}

TEST(Suggestion, NothingNearIsNoSuggestion) {
  EXPECT_EQ(nearest_name("frobnicate", kCommands), std::nullopt);
  EXPECT_EQ(nearest_name("x", kCommands), std::nullopt);
}

}  // namespace
}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/toml_document.hpp"

#include <gtest/gtest.h>

namespace vfiokit::host {
namespace {

std::string refusal(std::string_view text) {
  auto r = parse_toml_document(text, "t.toml");
  return r ? std::string("accepted") : r.error().subject() + ": " + r.error().message();
}

// toml++ 3.3 reached __builtin_unreachable() when it asked whether such a
// character is whitespace (host/internal/toml.hpp); each of these is now a
// parse error naming its line. The sanitized fuzz build runs them too
// (scripts/run-fuzz seeds the device plugin's target with them).
TEST(TomlDocument, NonAsciiWhereTheParserAsksForWhitespaceIsAnError) {
  // What the device plugin's fuzzer found: U+FEFD after a bare key; U+01BE
  // in what the parser reads past a malformed number.
  EXPECT_EQ(refusal("c\xEF\xBB\xBD#  Pc").rfind("t.toml:1: not TOML: ", 0), 0u) << refusal("c\xEF\xBB\xBD#  Pc");
  const std::string past_number = "a = 1\nselect = 232\"[6:1AAA\xC6\xBE AAA\"\n";
  EXPECT_EQ(refusal(past_number).rfind("t.toml:2: not TOML: ", 0), 0u) << refusal(past_number);
  EXPECT_EQ(refusal("caf\xC3\xA9 = 2\n").rfind("t.toml:1: not TOML: ", 0), 0u) << refusal("caf\xC3\xA9 = 2\n");
  // tomlplusplus #190: a line-ending backslash, then U+00A7 on the next
  // line: valid TOML, read as the character.
  auto r = parse_toml_document("s = \"\"\"\\\n\xC2\xA7\"\"\"\n", "t.toml");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)["s"].value_or(std::string()), "\xC2\xA7");
}

TEST(TomlDocument, NonAsciiInStringsAndCommentsIsRead) {
  const std::string text =
      "\xEF\xBB\xBF# carte r\xC3\xA9seau \xC2\xA7\n"
      "a = \"caf\xC3\xA9 \\\" \xC2\xA7\"\n"
      "b = 'l\xC3\xA0'\n"
      "\"k\xC3\xA9y\" = 1 # \xC2\xA7\n";
  auto r = parse_toml_document(text, "t.toml");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)["a"].value_or(std::string()), "caf\xC3\xA9 \" \xC2\xA7");
  EXPECT_EQ((*r)["b"].value_or(std::string()), "l\xC3\xA0");
  EXPECT_EQ((*r)["k\xC3\xA9y"].value_or(0), 1);
}

}  // namespace
}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/utf8.hpp"

#include <gtest/gtest.h>

namespace vfiokit {
namespace {

TEST(Utf8, TextIsText) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("vfio-pci"));
  EXPECT_TRUE(is_utf8("caf\xc3\xa9"));                // é
  EXPECT_TRUE(is_utf8("\xe2\x82\xac"));               // €
  EXPECT_TRUE(is_utf8("\xf0\x9f\x98\x80"));           // U+1F600
  EXPECT_TRUE(is_utf8("\xf4\x8f\xbf\xbf"));           // U+10FFFF, the last code point
  EXPECT_TRUE(is_utf8(std::string_view("a\0b", 3)));  // NUL is a code point
}

TEST(Utf8, OtherBytesAreNot) {
  EXPECT_FALSE(is_utf8("bad\xff\xfename"));
  EXPECT_FALSE(is_utf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(is_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_utf8("\xe2\x82"));          // cut short
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8("\xc3\x28"));          // a second byte that does not continue
}

}  // namespace
}  // namespace vfiokit

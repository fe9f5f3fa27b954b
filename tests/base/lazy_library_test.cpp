// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/lazy_library.hpp"

#include <gtest/gtest.h>

namespace vfiokit {
namespace {

TEST(LazyLibrary, ResolvesAFunctionTypedAsDeclared) {
  LazyLibrary libc("libc.so.6");
  size_t (*length)(const char*) = nullptr;
  ASSERT_TRUE(libc.resolve("strlen", length));
  EXPECT_EQ(length("vfiokit"), 7u);
}

TEST(LazyLibrary, AMissingLibraryIsAnErrorNamingIt) {
  LazyLibrary missing("libvfiokit-no-such-library.so.1");
  auto r = missing.symbol("anything");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::unsupported);
  EXPECT_EQ(r.error().subject(), "libvfiokit-no-such-library.so.1");
  EXPECT_NE(r.error().message().find("cannot be loaded"), std::string::npos) << r.error().message();
  // Asked again, the same answer, without trying again.
  EXPECT_FALSE(missing.symbol("anything"));
}

TEST(LazyLibrary, AMissingSymbolIsAnErrorNamingIt) {
  LazyLibrary libc("libc.so.6");
  auto r = libc.symbol("vfiokit_no_such_function");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("has no vfiokit_no_such_function"), std::string::npos) << r.error().message();
}

struct LibcTable {
  size_t (*strlen)(const char*) = nullptr;
};
Result<void> fill_libc(LazyLibrary& library, LibcTable& table) {
  VFIOKIT_RESOLVE(library, table, strlen);
  return {};
}
struct MissingTable {
  void (*vfiokit_no_such_function)() = nullptr;
};
Result<void> fill_missing(LazyLibrary& library, MissingTable& table) {
  VFIOKIT_RESOLVE(library, table, vfiokit_no_such_function);
  return {};
}

TEST(LazyLibrary, ATableIsMadeOnceOrItsErrorKept) {
  auto first = load_table_once<LibcTable>("libc.so.6", fill_libc);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)->strlen("abc"), 3u);
  EXPECT_EQ(*load_table_once<LibcTable>("libc.so.6", fill_libc), *first);  // the same table
  auto missing = load_table_once<MissingTable>("libc.so.6", fill_missing);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("has no vfiokit_no_such_function"), std::string::npos);
  EXPECT_FALSE(load_table_once<MissingTable>("libc.so.6", fill_missing));
}

}  // namespace
}  // namespace vfiokit

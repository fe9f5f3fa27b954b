// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/printable.hpp"

#include <gtest/gtest.h>

namespace vfiokit {
namespace {

TEST(Printable, EscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(printable("vfio-pci"), "vfio-pci");
  EXPECT_EQ(printable("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
  EXPECT_EQ(printable("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");              // C1 CSI as UTF-8
  EXPECT_EQ(printable("\x9b"), "\\x9b");  // a lone C1 byte is not UTF-8
  EXPECT_EQ(printable("Gr\xc3\xa4"
                      "fin \xe2\x82\xac"),
            "Gr\xc3\xa4"
            "fin \xe2\x82\xac");
  EXPECT_EQ(printable("\xc3"), "\\xc3");  // cut short
  EXPECT_EQ(printable(printable("\x1b[2J")), printable("\x1b[2J"));
}

TEST(Printable, AStreamKeepsItsLayoutAndCompletesCutSequences) {
  std::string out;
  EXPECT_EQ(append_printable_text(out, "a\tb\n\x1b", false), 0u);
  EXPECT_EQ(out, "a\tb\n\\x1b");
  out.clear();
  // A euro sign cut between two writes is held back, then shown whole.
  EXPECT_EQ(append_printable_text(out, "x\xe2\x82", false), 2u);
  EXPECT_EQ(out, "x");
  EXPECT_EQ(append_printable_text(out, "\xe2\x82\xac", false), 0u);
  EXPECT_EQ(out, "x\xe2\x82\xac");
  out.clear();
  EXPECT_EQ(append_printable_text(out, "\xe2\x82", true), 0u);
  EXPECT_EQ(out, "\\xe2\\x82");
}

}  // namespace
}  // namespace vfiokit

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/printable.hpp"

#include <fmt/format.h>

#include "vfiokit/base/utf8.hpp"

namespace vfiokit {
namespace {

// The length of the UTF-8 sequence at `p` that may be shown as it is: 0
// when it is not valid UTF-8 or is a C1 control; -1 when `end` cuts a
// sequence that is valid so far.
int shown_sequence(const unsigned char* p, const unsigned char* end) {
  const int length = utf8_sequence_length(p, end);
  if (length == 2 && p[0] == 0xC2 && p[1] <= 0x9F) return 0;  // U+0080..U+009F: C1 controls (CSI is U+009B)
  return length;
}

size_t append_escaped(std::string& out, std::string_view text, bool keep_layout, bool final) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c >= 0x20 && c < 0x7f) {
      // A run of plain ASCII at once: byte by byte, escaping was a tenth
      // of `list --json` at 4,096 functions.
      const auto* run = p;
      while (p < end && *p >= 0x20 && *p < 0x7f) ++p;
      out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
      continue;
    }
    if (keep_layout && (c == '\n' || c == '\t')) {
      out += static_cast<char>(c);
      ++p;
      continue;
    }
    if (c >= 0x80) {
      const int n = shown_sequence(p, end);
      if (n < 0 && !final) return static_cast<size_t>(end - p);
      if (n > 0) {
        out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
        p += n;
        continue;
      }
    }
    out += fmt::format("\\x{:02x}", c);
    ++p;
  }
  return 0;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, false, true);
  return out;
}

size_t append_printable_text(std::string& out, std::string_view text, bool final) {
  return append_escaped(out, text, true, final);
}

}  // namespace vfiokit

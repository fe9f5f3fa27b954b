// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/utf8.hpp"

#include <cstdint>

namespace vfiokit {

int utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  // The length of the sequence, and the range its second byte must lie in
  // (RFC 3629 section 4), which rules out overlong forms, surrogates and
  // code points above U+10FFFF.
  const unsigned char c = *p;
  int length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) length = 2;
  else if (c == 0xE0) length = 3, low = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) length = 3;
  else if (c == 0xED) length = 3, high = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) length = 3;
  else if (c == 0xF0) length = 4, low = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) length = 4;
  else if (c == 0xF4) length = 4, high = 0x8F;
  else return 0;
  for (int i = 1; i < length; ++i) {
    if (p + i >= end) return -1;
    if (p[i] < (i == 1 ? low : 0x80) || p[i] > (i == 1 ? high : 0xBF)) return 0;
  }
  return length;
}

bool is_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const int length = utf8_sequence_length(p, end);
    if (length <= 0) return false;
    p += length;
  }
  return true;
}

}  // namespace vfiokit

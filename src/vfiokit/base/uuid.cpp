// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/uuid.hpp"

#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>

namespace vfiokit {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Uuid> Uuid::parse(std::string_view text) {
  auto bad = [&] {
    return fail(Errc::invalid_argument, std::string(text.substr(0, 64)),
                "is not a UUID (expected 8-4-4-4-12 hex digits, e.g. 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001)");
  };
  if (text.size() != 36) return bad();
  Uuid out;
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad();
      ++i;
      continue;
    }
    const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    out.bytes_[byte++] = uint8_t(hi << 4 | lo);
    i += 2;
  }
  return out;
}

Result<Uuid> Uuid::random() {
  Uuid out;
  if (getrandom(out.bytes_.data(), out.bytes_.size(), 0) != ssize_t(out.bytes_.size()))
    return fail(Error::from_errno(errno, "getrandom", "cannot draw a random UUID"));
  out.bytes_[6] = uint8_t((out.bytes_[6] & 0x0f) | 0x40);  // version 4 (RFC 9562)
  out.bytes_[8] = uint8_t((out.bytes_[8] & 0x3f) | 0x80);  // variant 10
  return out;
}

std::string Uuid::str() const {
  const auto& b = bytes_;
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", b[0],
      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

}  // namespace vfiokit

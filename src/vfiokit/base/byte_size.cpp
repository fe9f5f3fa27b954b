// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/byte_size.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace vfiokit {
namespace {

constexpr std::array<const char*, 7> kUnits = {"", "K", "M", "G", "T", "P", "E"};

// Largest unit that divides the value exactly, so nothing is rounded away.
std::pair<uint64_t, size_t> exact_unit(uint64_t bytes) {
  size_t unit = 0;
  while (bytes != 0 && unit + 1 < kUnits.size() && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return {bytes, unit};
}

}  // namespace

Result<ByteSize> ByteSize::parse(std::string_view text) {
  const std::string subject = fmt::format("size '{}'", text);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data())
    return fail(Errc::invalid_argument, subject, "expected a number with an optional unit K, M, G, T, P or E");
  std::string_view suffix(end, static_cast<size_t>(text.data() + text.size() - end));
  // "B" alone is bytes; "KiB" and "KB" both mean 1024 bytes.
  if (suffix == "B") suffix = {};
  else if (suffix.size() == 3 && suffix.ends_with("iB")) suffix.remove_suffix(2);
  else if (suffix.size() == 2 && suffix[1] == 'B') suffix.remove_suffix(1);
  size_t unit = 0;
  if (!suffix.empty()) {
    bool known = false;
    for (size_t i = 1; i < kUnits.size(); ++i) {
      if (suffix.size() == 1 && (suffix[0] == kUnits[i][0] || suffix[0] == kUnits[i][0] + ('a' - 'A'))) {
        unit = i;
        known = true;
      }
    }
    if (!known) return fail(Errc::invalid_argument, subject, fmt::format("unknown unit '{}'", suffix));
  }
  uint64_t bytes = value;
  for (size_t i = 0; i < unit; ++i) {
    if (bytes > UINT64_MAX / 1024) return fail(Errc::invalid_argument, subject, "does not fit in 64 bits");
    bytes *= 1024;
  }
  return ByteSize(bytes);
}

std::string ByteSize::str() const {
  auto [value, unit] = exact_unit(bytes_);
  if (unit == 0) return fmt::format("{}B", value);
  return fmt::format("{}{}iB", value, kUnits[unit]);
}

std::string ByteSize::lspci_str() const {
  auto [value, unit] = exact_unit(bytes_);
  return fmt::format("{}{}B", value, kUnits[unit]);
}

}  // namespace vfiokit

// SPDX-License-Identifier: Apache-2.0
// Byte sizes as a type of their own, so a size is never confused with an
// address, a count or an encoded register field.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit {

class ByteSize {
 public:
  constexpr ByteSize() = default;
  constexpr explicit ByteSize(uint64_t bytes) : bytes_(bytes) {}
  constexpr uint64_t bytes() const { return bytes_; }
  constexpr auto operator<=>(const ByteSize&) const = default;

  // "256M", "16G", "1T", "4096", "64K" (binary units; an optional "iB"/"B").
  static Result<ByteSize> parse(std::string_view text);
  // The shortest exact form in binary units: "256MiB", "16GiB", "1536KiB", "100B".
  std::string str() const;
  // The form lspci prints for ReBAR sizes: "256MB", "16GB", "1TB".
  std::string lspci_str() const;

 private:
  uint64_t bytes_ = 0;
};

}  // namespace vfiokit

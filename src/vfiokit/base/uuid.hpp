// SPDX-License-Identifier: Apache-2.0
// A UUID in the 8-4-4-4-12 lowercase hex form the kernel uses to name mdev
// devices (/sys/bus/mdev/devices/<uuid>); the mdev core parses it with
// uuid_parse(), which takes either case.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit {

class Uuid {
 public:
  Uuid() = default;
  static Result<Uuid> parse(std::string_view text);
  // A random version-4 UUID from the kernel's random source.
  static Result<Uuid> random();
  std::string str() const;
  auto operator<=>(const Uuid&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace vfiokit

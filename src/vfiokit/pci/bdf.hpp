// SPDX-License-Identifier: Apache-2.0
// A PCI function address: domain (segment), bus, device, function.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::pci {

class Bdf {
 public:
  constexpr Bdf() = default;
  // Values beyond the PCI limits (device > 0x1f, function > 7) are rejected by
  // make(); the constructor is for values already known to be valid.
  constexpr Bdf(uint16_t domain, uint8_t bus, uint8_t device, uint8_t function)
      : domain_(domain), bus_(bus), device_(device), function_(function) {}

  static Result<Bdf> make(unsigned domain, unsigned bus, unsigned device, unsigned function);
  // "0000:03:00.0" or "03:00.0" (domain 0); hex digits in either case.
  static Result<Bdf> parse(std::string_view text);

  constexpr uint16_t domain() const { return domain_; }
  constexpr uint8_t bus() const { return bus_; }
  constexpr uint8_t device() const { return device_; }
  constexpr uint8_t function() const { return function_; }
  // devfn as the kernel packs it: device << 3 | function.
  constexpr uint8_t devfn() const { return static_cast<uint8_t>(device_ << 3 | function_); }

  // Always the full form the kernel uses in sysfs: "0000:03:00.0".
  std::string str() const;

  constexpr auto operator<=>(const Bdf&) const = default;

 private:
  uint16_t domain_ = 0;
  uint8_t bus_ = 0;
  uint8_t device_ = 0;
  uint8_t function_ = 0;
};

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
// The device patterns of lspci's -s and -d options, with lspci's meaning
// (pciutils lib/filter.c), so that a habit carries over:
//   -s [[[[domain]:]bus]:][slot][.[func]]   "02:" is bus 2, "02" is slot 2
//                                           on any bus, ".1" every function 1
//   -d [vendor]:[device][:class]             class is class and subclass
//                                           (4 hex digits, "0200")
// An empty field or "*" matches anything; numbers are hexadecimal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::pci {

class SlotPattern {
 public:
  static Result<SlotPattern> parse(std::string_view text);
  bool matches(const Bdf& bdf) const;

 private:
  std::optional<unsigned> domain_, bus_, slot_, function_;
};

class IdPattern {
 public:
  static Result<IdPattern> parse(std::string_view text);
  // `class_code` is the 24-bit class code (class, subclass, prog-if).
  bool matches(std::optional<uint16_t> vendor, std::optional<uint16_t> device,
               std::optional<uint32_t> class_code) const;

 private:
  std::optional<unsigned> vendor_, device_, class_;  // class_: class << 8 | subclass
};

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
// I/O virtual addresses: what a device puts on the bus, translated by the
// IOMMU. A distinct type so an IOVA is never confused with a host pointer or
// a physical address.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace vfiokit::vfio {

class Iova {
 public:
  constexpr Iova() = default;
  constexpr explicit Iova(uint64_t value) : value_(value) {}
  constexpr uint64_t value() const { return value_; }
  constexpr Iova operator+(uint64_t offset) const { return Iova(value_ + offset); }
  constexpr auto operator<=>(const Iova&) const = default;
  std::string str() const;

 private:
  uint64_t value_ = 0;
};

// [start, last], inclusive like the kernel's ranges (a range may end at 2^64-1).
struct IovaRange {
  uint64_t start = 0;
  uint64_t last = 0;
  constexpr uint64_t size() const { return last - start + 1; }  // 0 means the whole 2^64 space
  constexpr bool contains(uint64_t iova, uint64_t length) const {
    return length != 0 && iova >= start && iova - start <= last - start && length - 1 <= last - iova;
  }
  constexpr auto operator<=>(const IovaRange&) const = default;
};

}  // namespace vfiokit::vfio

namespace vfiokit::vfio {

// `ranges` with every `holes` range taken out (both inclusive), sorted.
std::vector<IovaRange> subtract_ranges(std::vector<IovaRange> ranges, const std::vector<IovaRange>& holes);

}  // namespace vfiokit::vfio

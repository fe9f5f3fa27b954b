// SPDX-License-Identifier: Apache-2.0
// Typed MMIO accessors over a mapped BAR: each access is exactly one
// volatile load or store of the given width, as device registers need (no
// tearing, no merging, no elision). Offsets are the caller's contract, as
// with a raw pointer; MappedRegion offers checked access with a pread/pwrite
// fallback for what is not mapped.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vfiokit::vfio {

class Mmio {
 public:
  Mmio() = default;
  Mmio(volatile uint8_t* base, size_t size) : base_(base), size_(size) {}

  volatile uint8_t* base() const { return base_; }
  size_t size() const { return size_; }

  uint8_t read8(size_t off) const { return *reinterpret_cast<volatile const uint8_t*>(base_ + off); }
  uint16_t read16(size_t off) const { return *reinterpret_cast<volatile const uint16_t*>(base_ + off); }
  uint32_t read32(size_t off) const { return *reinterpret_cast<volatile const uint32_t*>(base_ + off); }
  uint64_t read64(size_t off) const { return *reinterpret_cast<volatile const uint64_t*>(base_ + off); }
  void write8(size_t off, uint8_t v) const { *reinterpret_cast<volatile uint8_t*>(base_ + off) = v; }
  void write16(size_t off, uint16_t v) const { *reinterpret_cast<volatile uint16_t*>(base_ + off) = v; }
  void write32(size_t off, uint32_t v) const { *reinterpret_cast<volatile uint32_t*>(base_ + off) = v; }
  void write64(size_t off, uint64_t v) const { *reinterpret_cast<volatile uint64_t*>(base_ + off) = v; }

 private:
  volatile uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace vfiokit::vfio

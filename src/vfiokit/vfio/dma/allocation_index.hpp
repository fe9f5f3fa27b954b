// SPDX-License-Identifier: Apache-2.0
// The IOVA allocator's live allocations by start address: an open-addressing
// hash table (linear probing, deletion by backward shift, so no
// tombstones). A release finds its size and an allocation is recorded in
// a probe or two whatever the number of live mappings, where an ordered
// tree walks log2(N) nodes scattered in memory. Each slot is 16 bytes and
// at most 70% are used, so a live allocation costs 23 to 46 bytes (a
// std::map node: 48). The rare walks that need address order (a range
// change, naming the mapping a reservation collides with) sort or scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vfiokit::vfio {

class AllocationIndex {
 public:
  size_t size() const { return count_; }
  // The size of the allocation starting at `start`; 0 when there is none.
  uint64_t find(uint64_t start) const {
    if (slots_.empty()) return 0;
    for (size_t i = home(start);; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.size == 0) return 0;
      if (s.start == start) return s.size;
    }
  }
  // Records an allocation; `start` is not recorded yet and `size` is not 0.
  void insert(uint64_t start, uint64_t size);
  // Forgets the allocation at `start`; its size, or 0 when there is none.
  uint64_t erase(uint64_t start);
  // Every allocation (start, size), in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.size != 0) f(s.start, s.size);
  }
  // Every allocation (start, size), by address.
  std::vector<std::pair<uint64_t, uint64_t>> sorted() const;

 private:
  struct Slot {
    uint64_t start = 0;
    uint64_t size = 0;  // 0: empty
  };
  size_t mask() const { return mask_; }
  // Fibonacci hashing of the page number: IOVAs are page-aligned and often
  // consecutive, which the multiplication spreads over the table.
  size_t home(uint64_t start) const { return static_cast<size_t>(((start >> 12) * 0x9e3779b97f4a7c15ull) >> shift_); }
  void grow();

  std::vector<Slot> slots_;  // a power of two
  size_t count_ = 0;
  unsigned shift_ = 64;
  // Kept beside the table rather than worked out from its size at every
  // insert and probe: the table's size minus one, and the count at which
  // it grows (70% full).
  size_t mask_ = 0;
  size_t grow_at_ = 0;
};

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/allocation_index.hpp"

#include <algorithm>
#include <bit>

namespace vfiokit::vfio {

void AllocationIndex::insert(uint64_t start, uint64_t size) {
  if (count_ >= grow_at_) grow();
  Slot* const slot = slots_.data();
  size_t i = home(start);
  while (slot[i].size != 0) i = (i + 1) & mask_;
  slot[i] = {start, size};
  ++count_;
}

uint64_t AllocationIndex::erase(uint64_t start) {
  if (slots_.empty()) return 0;
  Slot* const slot = slots_.data();
  const size_t m = mask();
  size_t i = home(start);
  while (slot[i].size != 0 && slot[i].start != start) i = (i + 1) & m;
  const uint64_t size = slot[i].size;
  if (size == 0) return 0;
  // Backward shift: each later entry of the run moves into the hole when
  // the hole is no farther from where it sits than its home is (Knuth,
  // TAOCP 6.4, Algorithm R), so every lookup still finds it. Distances are
  // taken modulo the table's size, which also covers a run that wraps.
  size_t hole = i;
  for (size_t j = (i + 1) & m; slot[j].size != 0; j = (j + 1) & m) {
    if (((j - home(slot[j].start)) & m) >= ((j - hole) & m)) {
      slot[hole] = slot[j];
      hole = j;
    }
  }
  slot[hole] = {};
  --count_;
  return size;
}

std::vector<std::pair<uint64_t, uint64_t>> AllocationIndex::sorted() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  out.reserve(count_);
  for_each([&](uint64_t start, uint64_t size) { out.emplace_back(start, size); });
  std::sort(out.begin(), out.end());
  return out;
}

void AllocationIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  const size_t capacity = old.empty() ? 16 : old.size() * 2;
  slots_.assign(capacity, Slot{});
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  mask_ = capacity - 1;
  grow_at_ = capacity * 7 / 10;  // an insert that would fill more than 70% grows it first
  count_ = 0;
  for (const Slot& s : old)
    if (s.size != 0) insert(s.start, s.size);
}

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/allocation_index.hpp"

#include <algorithm>
#include <bit>

namespace vfiokit::vfio {

void AllocationIndex::insert(uint64_t start, uint64_t size) {
  if ((count_ + 1) * 10 > slots_.size() * 7) grow();
  size_t i = home(start);
  while (slots_[i].size != 0) i = (i + 1) & mask();
  slots_[i] = {start, size};
  ++count_;
}

uint64_t AllocationIndex::erase(uint64_t start) {
  if (slots_.empty()) return 0;
  size_t i = home(start);
  while (slots_[i].size != 0 && slots_[i].start != start) i = (i + 1) & mask();
  const uint64_t size = slots_[i].size;
  if (size == 0) return 0;
  // Backward shift: each later entry of the run moves into the hole when
  // its home is not between the hole and where it sits (Knuth, TAOCP 6.4,
  // Algorithm R), so every lookup still finds it.
  for (size_t hole = i, j = (i + 1) & mask();; j = (j + 1) & mask()) {
    if (slots_[j].size == 0) {
      slots_[hole] = {};
      break;
    }
    const size_t want = home(slots_[j].start);
    const bool stays = hole <= j ? (hole < want && want <= j) : (hole < want || want <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
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
  count_ = 0;
  for (const Slot& s : old)
    if (s.size != 0) insert(s.start, s.size);
}

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/iova_allocator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <utility>

namespace vfiokit::vfio {

namespace {

// Rounds up to a power-of-two alignment; false when that passes 2^64.
bool align_up(uint64_t value, uint64_t align, uint64_t& out) {
  const uint64_t rounded = (value + (align - 1)) & ~(align - 1);
  if (rounded < value) return false;
  out = rounded;
  return true;
}

// std::has_single_bit becomes a libgcc popcount call on baseline x86-64
// (no -mpopcnt); this is on every DMA map.
constexpr bool is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

}  // namespace

IovaAllocator::IovaAllocator(std::vector<IovaRange> usable, uint64_t granule)
    : granule_(is_power_of_two(granule) ? granule : 4096),
      granule_shift_(static_cast<unsigned>(__builtin_ctzll(granule_))) {
  (void)set_usable(std::move(usable));
}

std::string IovaAllocator::describe_usable() const {
  if (usable_.empty()) return "none";
  std::string out;
  for (const auto& r : usable_) out += fmt::format("{}0x{:x}-0x{:x}", out.empty() ? "" : ", ", r.start, r.last);
  return out;
}

void IovaAllocator::insert_free(uint64_t start, uint64_t last) {
  auto& free = maps_->free;
  auto next = free.upper_bound(last);  // the first block above
  const bool merge_next = next != free.end() && last != UINT64_MAX && last + 1 == next->second;
  if (next != free.begin()) {
    auto prev = std::prev(next);
    if (prev->first != UINT64_MAX && prev->first + 1 == start) {
      if (merge_next) {  // the three join: the block above starts lower
        next->second = prev->second;
        free.erase(prev);
        return;
      }
      auto node = free.extract(prev);  // the block below ends higher: same node, new key
      node.key() = last;
      free.insert(next, std::move(node));
      return;
    }
  }
  if (merge_next) {  // the block above starts lower: its key stays
    next->second = start;
    return;
  }
  free.emplace_hint(next, last, start);
}

void IovaAllocator::rebuild_free() {
  maps_->free.clear();
  const auto allocations = allocated_.sorted();
  for (const auto& r : usable_) {
    uint64_t cursor = r.start;
    bool done = false;
    auto it = std::lower_bound(allocations.begin(), allocations.end(), std::pair<uint64_t, uint64_t>(r.start, 0));
    for (; it != allocations.end() && it->first <= r.last && !done; ++it) {
      if (it->first > cursor) insert_free(cursor, it->first - 1);
      const uint64_t end = it->first + it->second - 1;
      if (end >= r.last) done = true;
      else cursor = end + 1;
    }
    if (!done && cursor <= r.last) insert_free(cursor, r.last);
  }
}

Result<void> IovaAllocator::set_usable(std::vector<IovaRange> usable) {
  std::vector<IovaRange> clean;
  for (auto r : usable) {
    // Only whole granules are usable.
    uint64_t start;
    if (!align_up(r.start, granule_, start)) continue;
    const uint64_t last = r.last == UINT64_MAX ? UINT64_MAX : ((r.last + 1) & ~(granule_ - 1)) - 1;
    if (last < start || (r.last != UINT64_MAX && r.last + 1 < granule_)) continue;
    clean.push_back({start, last});
  }
  std::sort(clean.begin(), clean.end());
  settle_newest();
  for (const auto& [start, size] : allocated_.sorted()) {
    const bool inside =
        std::any_of(clean.begin(), clean.end(), [&](const IovaRange& r) { return r.contains(start, size); });
    if (!inside)
      return fail(Errc::out_of_range, "IOVA allocator",
                  fmt::format("the mapping at 0x{:x} (0x{:x} bytes) lies outside the new valid ranges", start, size));
  }
  spare_size_ = 0;  // the free space is rebuilt from the ranges below
  size_cache_.clear();
  usable_ = std::move(clean);
  rebuild_free();
  return {};
}

Result<Iova> IovaAllocator::allocate_searching(IovaRequest request) {
  if (request.size == 0) return fail(Errc::invalid_argument, "IOVA allocator", "a mapping of 0 bytes");
  const uint64_t align = std::max(request.align, granule_);
  if (!is_power_of_two(align))
    return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("alignment 0x{:x} is not a power of two", align));
  uint64_t size;
  if (!align_up(request.size, granule_, size))
    return fail(Errc::invalid_argument, "IOVA allocator", "size overflows the IOVA space");
  store_spare();
  if (auto cached = take_cached(size, align, request.last_usable)) {
    record(*cached, size);
    return Iova(*cached);
  }
  // First fit in the free tree; when nothing fits, the cached blocks are
  // merged back (they may join into a block that does) and it is tried again.
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      if (size_cache_.empty()) break;
      flush_size_cache();
    }
    for (auto it = maps_->free.begin(); it != maps_->free.end(); ++it) {
      const uint64_t start = it->second, last = it->first;
      if (start > request.last_usable) break;
      uint64_t at;
      if (!align_up(std::max(start, granule_), align, at)) break;
      const uint64_t end = std::min(last, request.last_usable);
      if (at > end || size - 1 > end - at) continue;
      carve(it, at, size);
      record(at, size);
      return Iova(at);
    }
  }
  return fail(
      Errc::out_of_range, "IOVA allocator",
      fmt::format("no free IOVA range of 0x{:x} bytes aligned to 0x{:x}{} (valid ranges: {}; {} mappings)", size, align,
                  request.last_usable == UINT64_MAX ? "" : fmt::format(" below 0x{:x}", request.last_usable),
                  describe_usable(), allocation_count()));
}

Result<void> IovaAllocator::reserve(Iova iova, uint64_t size) {
  store_spare();
  flush_size_cache();
  settle_newest();
  const uint64_t start = iova.value();
  if (size == 0) return fail(Errc::invalid_argument, "IOVA allocator", "a mapping of 0 bytes");
  if ((start | size) & (granule_ - 1))
    return fail(
        Errc::invalid_argument, "IOVA allocator",
        fmt::format("0x{:x} (0x{:x} bytes) is not aligned to the IOMMU page size 0x{:x}", start, size, granule_));
  const bool inside =
      std::any_of(usable_.begin(), usable_.end(), [&](const IovaRange& r) { return r.contains(start, size); });
  if (!inside)
    return fail(Errc::out_of_range, "IOVA allocator",
                fmt::format("0x{:x}-0x{:x} lies outside the valid IOVA ranges ({})", start, start + (size - 1),
                            describe_usable()));
  auto it = maps_->free.lower_bound(start);  // the first block ending at or above it
  if (it == maps_->free.end() || it->second > start || it->first - start < size - 1) {
    // Name the mapping it collides with (the lowest, when several do).
    std::optional<std::pair<uint64_t, uint64_t>> hit;
    allocated_.for_each([&](uint64_t at, uint64_t bytes) {
      if (at <= start + (size - 1) && at + (bytes - 1) >= start && (!hit || at < hit->first)) hit.emplace(at, bytes);
    });
    if (hit)
      return fail(Errc::invalid_argument, "IOVA allocator",
                  fmt::format("0x{:x}-0x{:x} overlaps the mapping at 0x{:x}-0x{:x}", start, start + (size - 1),
                              hit->first, hit->first + hit->second - 1));
    return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("0x{:x} is not free", start));
  }
  carve(it, start, size);
  // Into the index at once, not held as the newest: a reservation may lie
  // at IOVA 0, which allocate's reuse of the newest must never hand out
  // (release_searching keeps 0 out of its reuse).
  store_spare();
  settle_newest();
  allocated_.insert(start, size);
  return {};
}

void IovaAllocator::carve(std::pmr::map<uint64_t, uint64_t>::iterator block, uint64_t at, uint64_t size) {
  auto& free = maps_->free;
  const uint64_t start = block->second, last = block->first;
  const bool below = at > start, above = at + size - 1 < last;
  if (above) {
    block->second = at + size;  // the block keeps its node and key for the part above
    if (below) free.emplace_hint(block, at - 1, start);
  } else if (below) {
    auto node = free.extract(block);  // the part below: same node, new key
    node.key() = at - 1;
    free.insert(std::move(node));
  } else {
    free.erase(block);
  }
}

Result<void> IovaAllocator::release_searching(Iova iova) {
  uint64_t start = iova.value(), size = 0;
  if (newest_size_ && newest_start_ == start) {
    size = std::exchange(newest_size_, 0);
  } else {
    size = allocated_.erase(start);
    if (size == 0)
      return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("no mapping starts at {}", iova.str()));
  }
  put_back(start, size);
  return {};
}

void IovaAllocator::put_back(uint64_t start, uint64_t size) {
  // Inside the usable ranges, as every allocation (see release). IOVA 0,
  // reserved at a fixed address, goes straight back to the free tree, whose
  // first fit skips it: a cached block is handed out again as it is, and
  // allocate never returns 0.
  if (start == 0 || !cache_block(start, size)) insert_free(start, start + size - 1);
}

void IovaAllocator::set_inline_reuse(bool on) {
  inline_reuse_ = on;
  if (!on) {
    store_spare();
    settle_newest();
  }
}

// record, cache_block and take_cached are inlined where they are called:
// each is on every allocation or release out of line, and the calls'
// saving and restoring of registers was a tenth of the instructions of an
// alloc+free pair.
[[gnu::always_inline]] inline void IovaAllocator::record(uint64_t start, uint64_t size) {
  store_spare();
  settle_newest();
  if (!inline_reuse_) {
    allocated_.insert(start, size);
    return;
  }
  newest_start_ = start;
  newest_size_ = size;
}

void IovaAllocator::move_newest_into_tree() {
  const uint64_t start = newest_start_, size = std::exchange(newest_size_, 0);
  allocated_.insert(start, size);
}

[[gnu::always_inline]] inline bool IovaAllocator::cache_block(uint64_t start, uint64_t size) {
  const uint64_t granules = size >> granule_shift_;
  if (granules > kCachedGranules) return false;
  if (size_cache_.empty()) size_cache_.resize(kCachedGranules + 1);
  auto& cache = size_cache_[granules];
  if (cache.size() == kCachedPerSize) return false;
  cache.push_back(start);
  return true;
}

[[gnu::always_inline]] inline std::optional<uint64_t> IovaAllocator::take_cached(uint64_t size, uint64_t align,
                                                                                 uint64_t last_usable) {
  const uint64_t granules = size >> granule_shift_;
  if (granules > kCachedGranules || size_cache_.empty()) return std::nullopt;
  auto& cache = size_cache_[granules];
  // The newest first; a few more when it does not suit the alignment or the
  // device's limit, then the free tree.
  constexpr size_t kLook = 8;
  for (size_t i = cache.size(), looked = 0; i-- > 0 && looked < kLook; ++looked) {
    const uint64_t start = cache[i];
    if ((start & (align - 1)) || start + (size - 1) > last_usable) continue;
    cache[i] = cache.back();
    cache.pop_back();
    return start;
  }
  return std::nullopt;
}

void IovaAllocator::flush_size_cache() {
  for (size_t granules = 0; granules < size_cache_.size(); ++granules)
    for (uint64_t start : size_cache_[granules]) insert_free(start, start + granules * granule_ - 1);
  size_cache_.clear();
}

uint64_t IovaAllocator::settled_allocation_size(Iova iova) const { return allocated_.find(iova.value()); }

}  // namespace vfiokit::vfio

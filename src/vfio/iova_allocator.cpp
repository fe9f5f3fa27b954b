#include "vfio/iova_allocator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace vfiokit::vfio {

namespace {

// Rounds up to a power-of-two alignment; false when that passes 2^64.
bool align_up(uint64_t value, uint64_t align, uint64_t& out) {
  const uint64_t rounded = (value + (align - 1)) & ~(align - 1);
  if (rounded < value) return false;
  out = rounded;
  return true;
}

}  // namespace

IovaAllocator::IovaAllocator(std::vector<IovaRange> usable, uint64_t granule)
    : granule_(granule && std::has_single_bit(granule) ? granule : 4096) {
  (void)set_usable(std::move(usable));
}

std::string IovaAllocator::describe_usable() const {
  if (usable_.empty()) return "none";
  std::string out;
  for (const auto& r : usable_) out += fmt::format("{}0x{:x}-0x{:x}", out.empty() ? "" : ", ", r.start, r.last);
  return out;
}

void IovaAllocator::insert_free(uint64_t start, uint64_t last) {
  auto next = free_.lower_bound(start);
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->second != UINT64_MAX && prev->second + 1 == start) {
      start = prev->first;
      free_.erase(prev);
    }
  }
  if (next != free_.end() && last != UINT64_MAX && last + 1 == next->first) {
    last = next->second;
    free_.erase(next);
  }
  free_[start] = last;
}

void IovaAllocator::rebuild_free() {
  free_.clear();
  for (const auto& r : usable_) {
    uint64_t cursor = r.start;
    bool done = false;
    for (auto it = allocated_.lower_bound(r.start); it != allocated_.end() && it->first <= r.last && !done; ++it) {
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
  for (const auto& [start, size] : allocated_) {
    const bool inside = std::any_of(clean.begin(), clean.end(), [&](const IovaRange& r) { return r.contains(start, size); });
    if (!inside)
      return fail(Errc::out_of_range, "IOVA allocator",
                  fmt::format("the mapping at 0x{:x} (0x{:x} bytes) lies outside the new valid ranges", start, size));
  }
  usable_ = std::move(clean);
  rebuild_free();
  return {};
}

Result<Iova> IovaAllocator::allocate(const IovaRequest& request) {
  if (request.size == 0) return fail(Errc::invalid_argument, "IOVA allocator", "a mapping of 0 bytes");
  const uint64_t align = std::max(request.align, granule_);
  if (!std::has_single_bit(align))
    return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("alignment 0x{:x} is not a power of two", align));
  uint64_t size;
  if (!align_up(request.size, granule_, size))
    return fail(Errc::invalid_argument, "IOVA allocator", "size overflows the IOVA space");
  for (const auto& [start, last] : free_) {
    if (start > request.last_usable) break;
    uint64_t at;
    if (!align_up(std::max(start, granule_), align, at)) break;
    const uint64_t end = std::min(last, request.last_usable);
    if (at > end || size - 1 > end - at) continue;
    const uint64_t block_start = start, block_last = last;
    free_.erase(block_start);
    if (at > block_start) free_[block_start] = at - 1;
    if (at + size - 1 < block_last) free_[at + size] = block_last;
    allocated_[at] = size;
    return Iova(at);
  }
  return fail(Errc::out_of_range, "IOVA allocator",
              fmt::format("no free IOVA range of 0x{:x} bytes aligned to 0x{:x}{} (valid ranges: {}; {} mappings)", size,
                          align,
                          request.last_usable == UINT64_MAX ? "" : fmt::format(" below 0x{:x}", request.last_usable),
                          describe_usable(), allocated_.size()));
}

Result<void> IovaAllocator::reserve(Iova iova, uint64_t size) {
  const uint64_t start = iova.value();
  if (size == 0) return fail(Errc::invalid_argument, "IOVA allocator", "a mapping of 0 bytes");
  if ((start | size) & (granule_ - 1))
    return fail(Errc::invalid_argument, "IOVA allocator",
                fmt::format("0x{:x} (0x{:x} bytes) is not aligned to the IOMMU page size 0x{:x}", start, size, granule_));
  const bool inside = std::any_of(usable_.begin(), usable_.end(), [&](const IovaRange& r) { return r.contains(start, size); });
  if (!inside)
    return fail(Errc::out_of_range, "IOVA allocator",
                fmt::format("0x{:x}-0x{:x} lies outside the valid IOVA ranges ({})", start, start + (size - 1),
                            describe_usable()));
  auto it = free_.upper_bound(start);
  if (it == free_.begin() || std::prev(it)->second < start || std::prev(it)->second - start < size - 1) {
    // Name the mapping it collides with.
    auto hit = allocated_.upper_bound(start + (size - 1));
    while (hit != allocated_.begin()) {
      --hit;
      if (hit->first + hit->second - 1 >= start)
        return fail(Errc::invalid_argument, "IOVA allocator",
                    fmt::format("0x{:x}-0x{:x} overlaps the mapping at 0x{:x}-0x{:x}", start, start + (size - 1),
                                hit->first, hit->first + hit->second - 1));
      break;
    }
    return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("0x{:x} is not free", start));
  }
  --it;
  const uint64_t block_start = it->first, block_last = it->second;
  free_.erase(it);
  if (start > block_start) free_[block_start] = start - 1;
  if (start + size - 1 < block_last) free_[start + size] = block_last;
  allocated_[start] = size;
  return {};
}

Result<void> IovaAllocator::release(Iova iova) {
  auto it = allocated_.find(iova.value());
  if (it == allocated_.end())
    return fail(Errc::invalid_argument, "IOVA allocator", fmt::format("no mapping starts at {}", iova.str()));
  const uint64_t start = it->first, size = it->second;
  allocated_.erase(it);
  // Only the parts still inside the usable ranges return to the free list.
  for (const auto& r : usable_)
    if (r.contains(start, size)) {
      insert_free(start, start + size - 1);
      break;
    }
  return {};
}

uint64_t IovaAllocator::allocation_size(Iova iova) const {
  auto it = allocated_.find(iova.value());
  return it == allocated_.end() ? 0 : it->second;
}

}  // namespace vfiokit::vfio

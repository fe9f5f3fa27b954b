// SPDX-License-Identifier: Apache-2.0
// Hands out IOVA ranges inside what the IOMMU backend can map: type1's
// IOVA_RANGE capability or iommufd's IOAS_IOVA_RANGES, minus the group's
// reserved regions. Fixed-address mappings are reserved through it too, so
// an overlap or an address outside the valid ranges is refused before any
// ioctl, with the ranges named.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/dma/allocation_index.hpp"
#include "vfiokit/vfio/dma/iova.hpp"

namespace vfiokit::vfio {

struct IovaRequest {
  uint64_t size = 0;
  uint64_t align = 0;                 // 0: the allocator's granule
  uint64_t last_usable = UINT64_MAX;  // a device's DMA mask, e.g. (1 << 28) - 1 for edu
};

class IovaAllocator {
 public:
  // `granule`: the smallest IOMMU page size (a power of two); sizes and
  // addresses are multiples of it.
  explicit IovaAllocator(std::vector<IovaRange> usable = {}, uint64_t granule = 4096);

  // Lowest-address first fit, except that released blocks are handed out
  // again first to a request of their size: the one released a moment ago
  // (the map/unmap loop of a driver costs no tree walk then), then those
  // the per-size caches hold. Never returns IOVA 0: devices and
  // drivers commonly read a zero DMA address as "not programmed".
  // The reuse of the block released last is inline: it is the whole
  // allocator cost of a map/unmap loop, and under emulation (the lab's TCG)
  // every call and return the loop makes shows in its time.
  Result<Iova> allocate(const IovaRequest& request) {
    if (recycled_count_ != 0 && newest_size_ == 0 && request.align <= granule_) {
      const auto [start, size] = recycled_[recycled_count_ - 1];
      if (size == request.size && start + (size - 1) <= request.last_usable) {
        --recycled_count_;
        newest_start_ = start;
        newest_size_ = size;
        return Iova(start);
      }
    }
    return allocate_searching(request);
  }
  // Claims exactly [iova, iova + size) for a mapping at a fixed address.
  Result<void> reserve(Iova iova, uint64_t size);
  // Gives back an allocation or reservation, by its start. Releasing the
  // newest allocation is inline, as allocate's reuse.
  Result<void> release(Iova iova) {
    if (newest_size_ != 0 && newest_start_ == iova.value() && recycled_count_ != recycled_.size()) {
      // Every allocation lies inside the usable ranges (allocate and
      // reserve hand out only usable space, and set_usable refuses ranges
      // that would leave one outside), so it goes back as it is.
      recycled_[recycled_count_++] = {iova.value(), std::exchange(newest_size_, 0)};
      return {};
    }
    return release_searching(iova);
  }

  // The usable ranges change as devices attach; existing allocations must
  // stay inside the new ones.
  Result<void> set_usable(std::vector<IovaRange> usable);

  uint64_t granule() const { return granule_; }
  const std::vector<IovaRange>& usable() const { return usable_; }
  size_t allocation_count() const { return allocated_.size() + (newest_size_ ? 1 : 0); }
  // Size of the allocation starting at `iova`, 0 when there is none.
  uint64_t allocation_size(Iova iova) const {
    if (newest_size_ != 0 && newest_start_ == iova.value()) return newest_size_;
    return settled_allocation_size(iova);
  }

  std::string describe_usable() const;

 private:
  Result<Iova> allocate_searching(const IovaRequest& request);
  Result<void> release_searching(Iova iova);
  uint64_t settled_allocation_size(Iova iova) const;
  void rebuild_free();
  void insert_free(uint64_t start, uint64_t last);
  // Takes [at, at + size) out of the free block `block`, which holds it.
  void carve(std::pmr::map<uint64_t, uint64_t>::iterator block, uint64_t at, uint64_t size);

  std::vector<IovaRange> usable_;
  uint64_t granule_;
  // The free tree's nodes come from a pool and are re-keyed rather than
  // re-allocated where a block only moves, so carving costs no malloc. The
  // pool and its map live and move together.
  struct Maps {
    std::pmr::unsynchronized_pool_resource pool;
    std::pmr::map<uint64_t, uint64_t> free{&pool};  // start -> last (inclusive), coalesced
  };
  AllocationIndex allocated_;  // every allocation but the newest: start -> size
  // The state a map + unmap loop touches is held in the allocator itself,
  // next to the backend that holds it, not with the trees: the loop then
  // touches no memory beyond the backend object and the stack. Under the
  // lab's TCG that measurably shortens the cycle (bench/lab_dma_bench.cpp).
  // Released blocks not yet merged back into `free` (start, size).
  std::array<std::pair<uint64_t, uint64_t>, 16> recycled_{};
  size_t recycled_count_ = 0;
  // The newest allocation is held here, not in `allocated_`, until the next
  // one: a driver's map + unmap loop then touches no tree at all.
  uint64_t newest_start_ = 0, newest_size_ = 0;  // size 0: none
  // Moves the newest allocation into `allocated_`; every walk of all
  // allocations does this first. The test is inline: a map/unmap loop
  // finds nothing to move on every allocation.
  void settle_newest() {
    if (newest_size_) move_newest_into_tree();
  }
  void move_newest_into_tree();
  // Moves the recycled blocks into the per-size caches, or the free tree.
  void flush_recycled();
  // Released blocks of up to kCachedGranules granules, by size: handed out
  // again to a request of that size before the free tree is searched, as
  // the kernel's IOVA rcache does (drivers/iommu/iova.c), so a workload of
  // many live mappings of mixed sizes pays no first-fit walk over the holes
  // between them. A cached block stays out of `free` (not merged with its
  // neighbours) until the caches are flushed: before a reservation, after
  // a search found nothing, and when the ranges change.
  static constexpr size_t kCachedGranules = 512;  // 2 MiB of 4 KiB pages
  static constexpr size_t kCachedPerSize = 256;
  std::vector<std::vector<uint64_t>> size_cache_;  // [size / granule] -> starts
  bool cache_block(uint64_t start, uint64_t size);
  std::optional<uint64_t> take_cached(uint64_t size, uint64_t align, uint64_t last_usable);
  void flush_size_cache();
  // Records an allocation as the newest.
  void record(uint64_t start, uint64_t size);
  std::unique_ptr<Maps> maps_ = std::make_unique<Maps>();
};

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
// Hands out IOVA ranges inside what the IOMMU backend can map: type1's
// IOVA_RANGE capability or iommufd's IOAS_IOVA_RANGES, minus the group's
// reserved regions. Fixed-address mappings are reserved through it too, so
// an overlap or an address outside the valid ranges is refused before any
// ioctl, with the ranges named.
#pragma once

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
  // every call and return the loop makes shows in its time. The request is
  // taken by value: a caller's default placement then folds away here.
  Result<Iova> allocate(IovaRequest request) {
    uint64_t start;
    if (take_spare(request, start)) [[likely]]
      return Iova(start);
    return allocate_searching(request);
  }
  // allocate's reuse of the block released last alone: true, with its
  // start, when it suits the request. The DMA map path tries this first
  // and calls allocate only when it fails.
  bool take_spare(const IovaRequest& request, uint64_t& start) {
    // A spare block exists only while no allocation is the newest (see
    // release), so it becomes the newest without moving one into the index.
    if (spare_size_ != request.size || request.size == 0 || request.align > granule_ ||
        spare_start_ + (spare_size_ - 1) > request.last_usable)
      return false;
    start = spare_start_;
    newest_start_ = start;
    newest_size_ = std::exchange(spare_size_, 0);
    return true;
  }
  // Claims exactly [iova, iova + size) for a mapping at a fixed address.
  Result<void> reserve(Iova iova, uint64_t size);
  // Gives back an allocation or reservation, by its start. Releasing the
  // newest allocation is inline, as allocate's reuse.
  Result<void> release(Iova iova) {
    if (is_newest(iova)) {
      release_newest();
      return {};
    }
    return release_searching(iova);
  }
  // The newest allocation, when there is one and it starts at `iova`, and
  // its release: the DMA unmap path's allocator work, inline.
  bool is_newest(Iova iova) const { return newest_size_ != 0 && newest_start_ == iova.value(); }
  uint64_t newest_size() const { return newest_size_; }
  // release_newest with what the caller knows of it: no loads.
  void release_newest(Iova iova, uint64_t size) {
    spare_start_ = iova.value();
    spare_size_ = size;
    newest_size_ = 0;
  }
  void release_newest() {
    // Every allocation lies inside the usable ranges (allocate and
    // reserve hand out only usable space, and set_usable refuses ranges
    // that would leave one outside), so it goes back as it is. No block is
    // spare while an allocation is the newest: record() stores a spare one
    // away before it makes another allocation the newest.
    spare_start_ = newest_start_;
    spare_size_ = std::exchange(newest_size_, 0);
  }

  // Off: no allocation is held as the newest (each goes into the index at
  // once), so none is released inline and no block is spare, and the inline
  // paths above never match. A backend whose process is held to a memlock
  // limit turns it off: its DMA map path, which accounts pinned memory
  // process-wide only out of line, then always goes there. On by default.
  void set_inline_reuse(bool on);

  // The usable ranges change as devices attach; existing allocations must
  // stay inside the new ones.
  Result<void> set_usable(std::vector<IovaRange> usable);

  uint64_t granule() const { return granule_; }
  const std::vector<IovaRange>& usable() const { return usable_; }
  size_t allocation_count() const { return allocated_.size() + (newest_size_ ? 1 : 0); }
  // Size of the allocation starting at `iova`, 0 when there is none.
  uint64_t allocation_size(Iova iova) const {
    if (is_newest(iova)) return newest_size_;
    return settled_allocation_size(iova);
  }

  std::string describe_usable() const;

 private:
  Result<Iova> allocate_searching(IovaRequest request);
  Result<void> release_searching(Iova iova);
  uint64_t settled_allocation_size(Iova iova) const;
  void rebuild_free();
  void insert_free(uint64_t start, uint64_t last);
  // Takes [at, at + size) out of the free block `block`, which holds it.
  void carve(std::pmr::map<uint64_t, uint64_t>::iterator block, uint64_t at, uint64_t size);

  std::vector<IovaRange> usable_;
  uint64_t granule_;
  // log2(granule_): a release and an allocation each find their size's
  // cache by it, and a 64-bit division there was some 40 cycles of each.
  unsigned granule_shift_;
  // The free tree's nodes come from a pool and are re-keyed rather than
  // re-allocated where a block only moves, so carving costs no malloc. The
  // pool and its map live and move together.
  struct Maps {
    std::pmr::unsynchronized_pool_resource pool;
    // last (inclusive) -> start, coalesced. Keyed by the end, so that the
    // common carve, from a block's bottom (first fit), and a release just
    // below a free block change a value, not a key: no rebalancing.
    std::pmr::map<uint64_t, uint64_t> free{&pool};
  };
  AllocationIndex allocated_;  // every allocation but the newest: start -> size
  // The state a map + unmap loop touches is held in the allocator itself,
  // next to the backend that holds it, not with the trees: the loop then
  // touches no memory beyond the backend object and the stack. Under the
  // lab's TCG that measurably shortens the cycle (bench/lab_dma_bench.cpp).
  // The newest allocation is held here, not in `allocated_`, until the next
  // one: a driver's map + unmap loop then touches no tree at all.
  uint64_t newest_start_ = 0, newest_size_ = 0;  // size 0: none
  // The newest allocation once released, until the next allocation takes
  // it or goes back (size 0: none). Never set while an
  // allocation is the newest.
  uint64_t spare_start_ = 0, spare_size_ = 0;
  bool inline_reuse_ = true;
  // Puts the spare block back. The test is inline: every allocation out of
  // line makes it, twice, and finds nothing to put back most times.
  void store_spare() {
    if (spare_size_ != 0) put_back(spare_start_, std::exchange(spare_size_, 0));
  }
  // A released block: into its size's cache, or the free tree.
  void put_back(uint64_t start, uint64_t size);
  // Moves the newest allocation into `allocated_`; every walk of all
  // allocations does this first. The test is inline: a map/unmap loop
  // finds nothing to move on every allocation.
  void settle_newest() {
    if (newest_size_) move_newest_into_tree();
  }
  void move_newest_into_tree();
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

// SPDX-License-Identifier: Apache-2.0
// A dirty-page bitmap over an IOVA range, in the layout all three kernel
// sources report: an array of u64 words, bit i (word i/64, bit i%64) set when
// the page at base + i * page_size was written. Those sources are device DMA
// logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT), iommufd HWPT dirty
// tracking (IOMMU_HWPT_GET_DIRTY_BITMAP) and type1's dirty pages
// (VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP); each fills words() directly.
// A migration loop merges what the sources report and walks the dirty pages.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/dma/iova.hpp"

namespace vfiokit::vfio {

class DirtyBitmap {
 public:
  // `page_size` a power of two; `length` a multiple of it.
  static Result<DirtyBitmap> create(Iova base, uint64_t length, uint64_t page_size);

  Iova base() const { return base_; }
  uint64_t length() const { return length_; }
  uint64_t page_size() const { return page_size_; }
  uint64_t pages() const { return length_ / page_size_; }
  std::span<uint64_t> words() { return words_; }
  std::span<const uint64_t> words() const { return words_; }

  // Marks or tests the page holding `iova` (which must lie in the range).
  Result<void> mark(Iova iova);
  bool is_dirty(Iova iova) const;
  uint64_t count() const;
  void clear();

  // ORs `other` in: the same range and page size, or an error.
  Result<void> merge(const DirtyBitmap& other);

  // Calls f(Iova) for each dirty page in address order.
  template <class F>
  void for_each_dirty(F&& f) const {
    for (size_t w = 0; w < words_.size(); ++w)
      for (uint64_t bits = words_[w]; bits; bits &= bits - 1)
        f(base_ + (uint64_t(w) * 64 + unsigned(__builtin_ctzll(bits))) * page_size_);
  }

 private:
  DirtyBitmap(Iova base, uint64_t length, uint64_t page_size);
  Iova base_;
  uint64_t length_ = 0, page_size_ = 0;
  std::vector<uint64_t> words_;
};

// dst |= src over `words` words; the merge loop, vectorized.
void or_words(uint64_t* dst, const uint64_t* src, size_t words);

}  // namespace vfiokit::vfio

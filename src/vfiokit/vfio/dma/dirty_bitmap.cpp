// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/dirty_bitmap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace vfiokit::vfio {

DirtyBitmap::DirtyBitmap(Iova base, uint64_t length, uint64_t page_size)
    : base_(base), length_(length), page_size_(page_size), words_((length / page_size + 63) / 64, 0) {}

Result<DirtyBitmap> DirtyBitmap::create(Iova base, uint64_t length, uint64_t page_size) {
  if (!std::has_single_bit(page_size))
    return fail(Errc::invalid_argument, "dirty bitmap", fmt::format("page size {} is not a power of two", page_size));
  if (length == 0 || length % page_size)
    return fail(Errc::invalid_argument, "dirty bitmap",
                fmt::format("length 0x{:x} is not a non-zero multiple of the page size", length));
  if (base.value() % page_size || base.value() + (length - 1) < base.value())
    return fail(Errc::invalid_argument, "dirty bitmap",
                fmt::format("range at {} is not page-aligned or wraps", base.str()));
  return DirtyBitmap(base, length, page_size);
}

Result<void> DirtyBitmap::mark(Iova iova) {
  const uint64_t off = iova.value() - base_.value();
  if (iova < base_ || off >= length_)
    return fail(Errc::out_of_range, "dirty bitmap", fmt::format("{} is outside the tracked range", iova.str()));
  const uint64_t page = off / page_size_;
  words_[page / 64] |= uint64_t(1) << (page % 64);
  return {};
}

bool DirtyBitmap::is_dirty(Iova iova) const {
  const uint64_t off = iova.value() - base_.value();
  if (iova < base_ || off >= length_) return false;
  const uint64_t page = off / page_size_;
  return (words_[page / 64] >> (page % 64)) & 1;
}

uint64_t DirtyBitmap::count() const {
  uint64_t n = 0;
  for (uint64_t w : words_) n += unsigned(std::popcount(w));
  return n;
}

void DirtyBitmap::clear() { std::fill(words_.begin(), words_.end(), 0); }

Result<void> DirtyBitmap::merge(const DirtyBitmap& other) {
  if (other.base_ != base_ || other.length_ != length_ || other.page_size_ != page_size_)
    return fail(Errc::invalid_argument, "dirty bitmap",
                fmt::format("cannot merge {} +0x{:x} in {} B pages into {} +0x{:x} in {} B pages", other.base_.str(),
                            other.length_, other.page_size_, base_.str(), length_, page_size_));
  or_words(words_.data(), other.words_.data(), words_.size());
  return {};
}

void or_words(uint64_t* dst, const uint64_t* src, size_t words) {
  // 64 bytes a step in 16-byte vectors (SSE2 is the x86-64 baseline; GCC's
  // -O2 does not vectorize the plain loop), the tail word by word.
  using V = uint64_t __attribute__((vector_size(16)));
  size_t i = 0;
  for (; i + 8 <= words; i += 8) {
    V d[4], s[4];
    std::memcpy(d, dst + i, sizeof d);
    std::memcpy(s, src + i, sizeof s);
    for (int k = 0; k < 4; ++k) d[k] |= s[k];
    std::memcpy(dst + i, d, sizeof d);
  }
  for (; i < words; ++i) dst[i] |= src[i];
}

}  // namespace vfiokit::vfio

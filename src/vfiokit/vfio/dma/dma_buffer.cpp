// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/dma_buffer.hpp"

#include <fmt/format.h>
#include <linux/mman.h>
#include <sys/mman.h>

#include <utility>

#include "vfiokit/base/byte_size.hpp"

namespace vfiokit::vfio {

Result<DmaBuffer> DmaBuffer::allocate(uint64_t size, DmaMemory memory) {
  if (size == 0) return fail(Errc::invalid_argument, "DMA buffer", "a buffer of 0 bytes");
  uint64_t page = 4096;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
  if (memory == DmaMemory::hugetlb_2m) page = 2ull << 20, flags |= MAP_HUGETLB | MAP_HUGE_2MB;
  if (memory == DmaMemory::hugetlb_1g) page = 1ull << 30, flags |= MAP_HUGETLB | MAP_HUGE_1GB;
  const uint64_t rounded = (size + page - 1) & ~(page - 1);
  void* p = ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    if (memory != DmaMemory::anonymous)
      return fail(Error(Errc::unsupported, "DMA buffer",
                        fmt::format("no {} of huge pages available (reserve them in /sys/kernel/mm/hugepages)",
                                    ByteSize(rounded).str()),
                        err));
    return fail(Error::from_errno(err, "DMA buffer", fmt::format("cannot allocate {}", ByteSize(rounded).str())));
  }
  return DmaBuffer(static_cast<uint8_t*>(p), rounded);
}

DmaBuffer::DmaBuffer(DmaBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

DmaBuffer& DmaBuffer::operator=(DmaBuffer&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

DmaBuffer::~DmaBuffer() {
  if (data_) ::munmap(data_, size_);
}

Result<DmaMapping> DmaMapping::map(std::shared_ptr<IommuBackend> backend, std::span<uint8_t> memory, DmaAccess access,
                                   IovaRequest placement) {
  auto iova = backend->map_dma(memory.data(), memory.size(), access, placement);
  if (!iova) return fail(iova.error());
  const uint64_t size = backend->iova_space().allocation_size(*iova);
  return DmaMapping(std::move(backend), *iova, size);
}

Result<DmaMapping> DmaMapping::map_at(std::shared_ptr<IommuBackend> backend, std::span<uint8_t> memory, Iova iova,
                                      DmaAccess access) {
  if (auto ok = backend->map_dma_at(memory.data(), iova, memory.size(), access); !ok) return fail(ok.error());
  return DmaMapping(std::move(backend), iova, memory.size());
}

DmaMapping::DmaMapping(DmaMapping&& other) noexcept
    : backend_(std::move(other.backend_)), iova_(other.iova_), size_(other.size_) {}

DmaMapping& DmaMapping::operator=(DmaMapping&& other) noexcept {
  if (this != &other) {
    (void)unmap();
    backend_ = std::move(other.backend_);
    iova_ = other.iova_;
    size_ = other.size_;
  }
  return *this;
}

DmaMapping::~DmaMapping() { (void)unmap(); }

Result<void> DmaMapping::unmap() {
  if (!backend_) return {};
  auto backend = std::move(backend_);
  backend_.reset();
  return backend->unmap_dma(iova_);
}

}  // namespace vfiokit::vfio

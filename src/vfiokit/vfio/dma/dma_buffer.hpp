// SPDX-License-Identifier: Apache-2.0
// Memory for device DMA and its mapping into an IOMMU backend. The buffer is
// page-aligned anonymous memory, or hugetlb pages so the IOMMU can use
// large page-table entries; the mapping unmaps itself when it goes away.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/backend/iommu_backend.hpp"

namespace vfiokit::vfio {

enum class DmaMemory { anonymous, hugetlb_2m, hugetlb_1g };

class DmaBuffer {
 public:
  static Result<DmaBuffer> allocate(uint64_t size, DmaMemory memory = DmaMemory::anonymous);
  DmaBuffer(DmaBuffer&& other) noexcept;
  DmaBuffer& operator=(DmaBuffer&& other) noexcept;
  ~DmaBuffer();

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  std::span<uint8_t> bytes() const { return {data_, size_}; }

 private:
  DmaBuffer(uint8_t* data, uint64_t size) : data_(data), size_(size) {}
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

class DmaMapping {
 public:
  // Maps `memory` at an IOVA from the backend's allocator.
  static Result<DmaMapping> map(std::shared_ptr<IommuBackend> backend, std::span<uint8_t> memory, DmaAccess access,
                                IovaRequest placement = {});
  // Maps `memory` at exactly `iova`.
  static Result<DmaMapping> map_at(std::shared_ptr<IommuBackend> backend, std::span<uint8_t> memory, Iova iova,
                                   DmaAccess access);
  DmaMapping(DmaMapping&& other) noexcept;
  DmaMapping& operator=(DmaMapping&& other) noexcept;
  ~DmaMapping();

  Iova iova() const { return iova_; }
  uint64_t size() const { return size_; }
  bool mapped() const { return backend_ != nullptr; }
  // Unmaps now, reporting a failure (the destructor cannot).
  Result<void> unmap();

 private:
  DmaMapping(std::shared_ptr<IommuBackend> backend, Iova iova, uint64_t size)
      : backend_(std::move(backend)), iova_(iova), size_(size) {}
  std::shared_ptr<IommuBackend> backend_;
  Iova iova_;
  uint64_t size_ = 0;
};

}  // namespace vfiokit::vfio

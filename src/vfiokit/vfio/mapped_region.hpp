// SPDX-License-Identifier: Apache-2.0
// A device region (a BAR) mapped into this process. The kernel may allow
// mmap only on some areas (sparse mmap, typically around the MSI-X table):
// the whole region gets one reserved address range with those areas mapped
// into it, and checked accesses to the rest go through pread/pwrite on the
// device fd, which vfio-pci serves for the whole region.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/mmio.hpp"
#include "vfiokit/vfio/region_info.hpp"

namespace vfiokit::vfio {

class MappedRegion {
 public:
  static Result<std::unique_ptr<MappedRegion>> map(int device_fd, const RegionInfo& info, std::string subject);
  ~MappedRegion();
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;

  const RegionInfo& info() const { return info_; }
  // The region's address range; only the mapped areas may be touched.
  Mmio mmio() const { return Mmio(base_, info_.size); }
  bool mapped(uint64_t offset, uint64_t length) const;

  // Checked accesses of one 1/2/4/8-byte register: one MMIO access where
  // the offset is mapped, pread/pwrite otherwise.
  template <class T>
  Result<T> read(uint64_t offset) const {
    T value{};
    if (auto ok = access(offset, &value, sizeof(T), false); !ok) return fail(ok.error());
    return value;
  }
  template <class T>
  Result<void> write(uint64_t offset, T value) const {
    return access(offset, &value, sizeof(T), true);
  }

 private:
  MappedRegion(int fd, RegionInfo info, std::string subject)
      : fd_(fd), info_(std::move(info)), subject_(std::move(subject)) {}
  Result<void> access(uint64_t offset, void* data, size_t size, bool write) const;

  int fd_;
  RegionInfo info_;
  std::string subject_;
  std::vector<SparseArea> areas_;  // what is mapped (computed once: the checked path is hot)
  volatile uint8_t* base_ = nullptr;
  size_t reserved_ = 0;
};

}  // namespace vfiokit::vfio

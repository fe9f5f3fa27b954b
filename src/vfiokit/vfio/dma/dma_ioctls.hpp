// SPDX-License-Identifier: Apache-2.0
// The two system calls of the DMA hot path, map at a fixed IOVA and unmap,
// in the form each backend's kernel interface takes them: type1's
// VFIO_IOMMU_MAP_DMA / UNMAP_DMA on the container, iommufd's IOMMU_IOAS_MAP
// (FIXED_IOVA) / IOAS_UNMAP on an IOAS.
//
// A small value the address space holds rather than a virtual call into
// the backend: IommuBackend::map_dma and unmap_dma issue the ioctl from
// inside themselves, with no call, return or Result between them and the
// kernel. A userspace driver maps and unmaps per I/O; under the lab's TCG
// every guest call, return and instruction around the ioctl shows in the
// cycle's time (bench/lab_dma_bench.cpp).
#pragma once

#include <linux/vfio.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace vfiokit::vfio {

// The part of <linux/iommufd.h> (6.2+, absent from Debian 12's 6.1 headers)
// that the inline map and unmap below need, so that this public header
// stands alone; the rest of the uAPI vfiokit uses is internal
// (vfio/internal/uapi.hpp). Layouts follow include/uapi/linux/iommufd.h;
// every ioctl is _IO(';', nr), so the request number is 0x3B00 | nr.
namespace uapi {

constexpr unsigned long io(unsigned nr) { return 0x3B00u | nr; }
constexpr unsigned long kIommuIoasMap = io(0x85);
constexpr unsigned long kIommuIoasUnmap = io(0x86);

constexpr uint32_t kIoasMapFixedIova = 1u << 0;
constexpr uint32_t kIoasMapWriteable = 1u << 1;
constexpr uint32_t kIoasMapReadable = 1u << 2;

struct IommuIoasMap {
  uint32_t size = sizeof(IommuIoasMap);
  uint32_t flags = 0;
  uint32_t ioas_id = 0;
  uint32_t reserved = 0;
  uint64_t user_va = 0;
  uint64_t length = 0;
  uint64_t iova = 0;  // in with kIoasMapFixedIova, out otherwise
};
static_assert(sizeof(IommuIoasMap) == 40);

struct IommuIoasUnmap {
  uint32_t size = sizeof(IommuIoasUnmap);
  uint32_t ioas_id = 0;
  uint64_t iova = 0;
  uint64_t length = 0;  // in/out: bytes unmapped
};
static_assert(sizeof(IommuIoasUnmap) == 24);
static_assert(sizeof(vfio_iommu_type1_dma_unmap) == sizeof(IommuIoasUnmap) &&
              offsetof(vfio_iommu_type1_dma_unmap, flags) == offsetof(IommuIoasUnmap, ioas_id) &&
              offsetof(vfio_iommu_type1_dma_unmap, iova) == offsetof(IommuIoasUnmap, iova) &&
              offsetof(vfio_iommu_type1_dma_unmap, size) == offsetof(IommuIoasUnmap, length));

}  // namespace uapi

// What the device may do with a mapping.
enum class DmaAccess : uint32_t { read = 1, write = 2, read_write = 3 };

class DmaIoctls {
 public:
  enum class Abi : uint8_t { none, type1, iommufd };

  // Nothing to map into yet (a type1 container before its first group).
  DmaIoctls() = default;
  static DmaIoctls type1(int container) {
    return DmaIoctls(Abi::type1, container, 0, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA);
  }
  static DmaIoctls iommufd(int iommufd, uint32_t ioas) {
    return DmaIoctls(Abi::iommufd, iommufd, ioas, uapi::kIommuIoasMap, uapi::kIommuIoasUnmap);
  }
  // The same argument structs sent with other request numbers: for
  // bench/dma_path_bench.cpp, which counts this code's instructions on a
  // pipe (FIONREAD) where no IOMMU exists.
  DmaIoctls with_requests(unsigned long map, unsigned long unmap) const {
    return DmaIoctls(abi_, fd_, ioas_, map, unmap);
  }

  bool ready() const { return abi_ != Abi::none; }
  const char* map_name() const { return abi_ == Abi::iommufd ? "IOMMU_IOAS_MAP" : "VFIO_IOMMU_MAP_DMA"; }
  const char* unmap_name() const { return abi_ == Abi::iommufd ? "IOMMU_IOAS_UNMAP" : "VFIO_IOMMU_UNMAP_DMA"; }

  // Maps [vaddr, vaddr + size) at `iova`. 0, or the errno of the call;
  // the caller retries EINTR (IommuBackend::finish_map), as checked_ioctl
  // does. ENODEV when not ready().
  int map(const void* vaddr, uint64_t iova, uint64_t size, DmaAccess access) const {
    const uint32_t a = uint32_t(access);
    if (abi_ == Abi::type1) {
      vfio_iommu_type1_dma_map m{
          .argsz = sizeof(m),
          .flags = (a & 1 ? VFIO_DMA_MAP_FLAG_READ : 0u) | (a & 2 ? VFIO_DMA_MAP_FLAG_WRITE : 0u),
          .vaddr = reinterpret_cast<uint64_t>(vaddr),
          .iova = iova,
          .size = size};
      return call(map_request_, &m);
    }
    if (abi_ != Abi::iommufd) [[unlikely]]
      return ENODEV;  // not ready(): the map path tests that here, after the fact, not before
    uapi::IommuIoasMap m;
    m.flags = uapi::kIoasMapFixedIova | (a & 1 ? uapi::kIoasMapReadable : 0u) | (a & 2 ? uapi::kIoasMapWriteable : 0u);
    m.ioas_id = ioas_;
    m.user_va = reinterpret_cast<uint64_t>(vaddr);
    m.length = size;
    m.iova = iova;
    return call(map_request_, &m);
  }

  // Unmaps what lies in [iova, iova + size); `unmapped` is what the kernel
  // says it unmapped (both uAPIs write it back). 0 or the errno. Only
  // called for a mapping, so ready().
  int unmap(uint64_t iova, uint64_t size, uint64_t& unmapped) const {
    // type1's vfio_iommu_type1_dma_unmap {argsz, flags, iova, size} and
    // iommufd's iommu_ioas_unmap {size, ioas_id, iova, length} lie alike
    // but for the second word, where type1 wants flags 0 and its ioas_ is
    // 0: one struct serves both, and the path takes no branch.
    uapi::IommuIoasUnmap u;
    u.ioas_id = ioas_;
    u.iova = iova;
    u.length = size;
    const int err = call(unmap_request_, &u);
    unmapped = u.length;
    return err;
  }

 private:
  DmaIoctls(Abi abi, int fd, uint32_t ioas, unsigned long map, unsigned long unmap)
      : fd_(fd), ioas_(ioas), abi_(abi), map_request_(map), unmap_request_(unmap) {}

  // No retry here on EINTR: the caller's path after a successful call then
  // keeps nothing alive across it for a retry, and knows the result is 0.
  int call(unsigned long request, void* arg) const { return ::ioctl(fd_, request, arg) >= 0 ? 0 : errno; }

  int fd_ = -1;
  uint32_t ioas_ = 0;
  Abi abi_ = Abi::none;
  unsigned long map_request_ = 0, unmap_request_ = 0;
};

}  // namespace vfiokit::vfio

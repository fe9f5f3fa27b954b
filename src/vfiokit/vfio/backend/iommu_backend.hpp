// SPDX-License-Identifier: Apache-2.0
// One IOMMU address space that devices are attached to and DMA is mapped
// into, behind one interface with two implementations: the legacy VFIO
// container (group + type1v2) and iommufd (an IOAS, devices through their
// vfio cdev). Several devices share one backend; each device holds it, so
// the address space outlives every device in it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/vfio/backend/memlock.hpp"
#include "vfiokit/vfio/device_address.hpp"
#include "vfiokit/vfio/dma/dma_ioctls.hpp"
#include "vfiokit/vfio/dma/iova_allocator.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::vfio {

enum class BackendKind { type1, iommufd };
const char* backend_name(BackendKind kind);  // "type1", "iommufd"

struct HotResetPeer;

class IommuBackend {
 public:
  // The kernel drops every mapping with the container or IOAS.
  virtual ~IommuBackend();
  IommuBackend(const IommuBackend&) = delete;
  IommuBackend& operator=(const IommuBackend&) = delete;

  virtual BackendKind kind() const = 0;
  virtual std::string describe() const = 0;

  // Opens the function through this address space and returns its device
  // fd; Device::open is the public way in.
  virtual Result<UniqueFd> attach(const DeviceAddress& device) = 0;
  // Called by a device after it closed its fd.
  virtual void detach(const DeviceAddress& device) = 0;
  // The group fds VFIO_DEVICE_PCI_HOT_RESET needs as proof of ownership of
  // the affected devices (empty on iommufd, where devids prove it); fails
  // naming the affected devices this backend does not own.
  virtual Result<std::vector<int32_t>> hot_reset_proof(const std::vector<HotResetPeer>& peers) const = 0;

  // DMA. The device sees `vaddr`'s pages at the returned IOVA; the memory
  // must stay allocated until unmap. Addresses come from the allocator,
  // which knows the valid ranges.
  // map_dma and unmap_dma are inline in the caller (defined below): they
  // are a userspace driver's per-I/O path, and so the ioctl is the only call
  // on it (under the lab's TCG every return costs a lookup of the code to
  // return to).
  [[gnu::always_inline]] Result<Iova> map_dma(const void* vaddr, uint64_t size, DmaAccess access,
                                              IovaRequest placement = {});
  Result<void> map_dma_at(const void* vaddr, Iova iova, uint64_t size, DmaAccess access);
  // iommufd only: the kernel picks the IOVA (IOMMU_IOAS_MAP without FIXED_IOVA).
  virtual Result<Iova> map_dma_kernel_chosen(const void* vaddr, uint64_t size, DmaAccess access);
  [[gnu::always_inline]] Result<void> unmap_dma(Iova iova);

  // Valid ranges (backend's ranges minus the attached groups' reserved
  // regions) and the mappings in place.
  const IovaAllocator& iova_space() const { return allocator_; }
  // The IOMMU's smallest page size.
  uint64_t iova_granule() const { return allocator_.granule(); }
  uint64_t mapped_bytes() const { return mapped_bytes_; }

  const host::SysfsRoot& sysfs() const { return root_; }

 protected:
  explicit IommuBackend(host::SysfsRoot root);

  // The errors of the map and unmap ioctls, built out of line: both run on
  // every DMA map and unmap.
  [[gnu::cold]] Error map_failed(int err, Iova iova, uint64_t size) const;
  [[gnu::cold]] Error unmap_failed(int err, Iova iova, uint64_t size) const;
  [[gnu::cold]] Error short_unmap(Iova iova, uint64_t done, uint64_t size) const;
  [[gnu::cold]] Error not_ready() const;
  // Not empty, and start and size on the IOMMU's page size.
  bool mappable(const void* vaddr, uint64_t size) const {
    return size != 0 && !((reinterpret_cast<uintptr_t>(vaddr) | size) & (iova_granule() - 1));
  }
  [[gnu::cold]] Error misaligned(const void* vaddr, uint64_t size) const;
  [[gnu::cold]] Error allocator_refused(const Error& e) const;
  [[gnu::cold]] Error no_mapping_at(Iova iova) const;
  // The paths of map_dma and unmap_dma beyond a driver's loop: an
  // allocator search, memlock accounting, the errors.
  Result<Iova> map_dma_searching(const void* vaddr, uint64_t size, DmaAccess access, uint64_t align,
                                 uint64_t last_usable);
  Result<void> unmap_dma_searching(Iova iova);
  // After a map ioctl that failed with `err`, from an allocated `iova`:
  // retried on EINTR; refused (or no ioctl: not ready), the IOVA goes back
  // to the allocator.
  [[gnu::cold]] Result<Iova> finish_map(int err, const void* vaddr, Iova iova, uint64_t size, DmaAccess access);
  // After an unmap ioctl that failed (`err`) or unmapped short of `size`.
  [[gnu::cold]] Result<void> finish_unmap(int err, Iova iova, uint64_t unmapped, uint64_t size);
  // Re-reads the valid ranges after an attach (they can only shrink).
  Result<void> set_valid_ranges(std::vector<IovaRange> backend_ranges, uint64_t granule,
                                const std::vector<unsigned>& groups);
  // After the last device left, the kernel dropped every mapping.
  void forget_mappings();
  // An allocator for this backend: inline reuse only where the process is
  // not held to a memlock limit.
  IovaAllocator fresh_allocator(uint64_t granule) const;
  Result<void> record_kernel_chosen(Iova iova, uint64_t size);
  // Pinned-byte accounting, for this backend and the process.
  // Only a process held to a limit needs the process-wide sum (for
  // check_memlock); an exempt one touches nothing beyond this object.
  void account(int64_t delta) {
    mapped_bytes_ += uint64_t(delta);
    if (memlock_limit_ != UINT64_MAX) [[unlikely]]
      add_process_pinned_bytes(delta);
  }

  host::SysfsRoot root_;
  // The map and unmap ioctls of this address space; not ready() until it
  // can take mappings (type1: once the container has its IOMMU).
  DmaIoctls dma_;
  IovaAllocator allocator_;
  uint64_t mapped_bytes_ = 0;
  // dma_memlock_limit() when the backend was opened: the map path compares
  // with it and asks the kernel again only when a mapping would not fit.
  uint64_t memlock_limit_ = 0;
};

// The map and unmap of a driver's loop: the block the last unmap released
// is reused and the newest mapping is unmapped. Everything else goes out of
// line, with nothing the loop's path must keep for it across the ioctl: a
// process held to a memlock limit too, whose allocator holds no newest
// mapping and no spare block (fresh_allocator).
inline Result<Iova> IommuBackend::map_dma(const void* vaddr, uint64_t size, DmaAccess access, IovaRequest placement) {
  placement.size = size;
  uint64_t start;
  // dma_.map refuses when it is not ready(), which finish_map reports.
  if (!mappable(vaddr, size) || !allocator_.take_spare(placement, start)) [[unlikely]]
    return map_dma_searching(vaddr, size, access, placement.align, placement.last_usable);
  if (const int err = dma_.map(vaddr, start, size, access)) [[unlikely]]
    return finish_map(err, vaddr, Iova(start), size, access);
  mapped_bytes_ += size;
  return Iova(start);
}

inline Result<void> IommuBackend::unmap_dma(Iova iova) {
  if (!allocator_.is_newest(iova)) [[unlikely]]
    return unmap_dma_searching(iova);
  uint64_t unmapped = 0;
  const int err = dma_.unmap(iova.value(), allocator_.newest_size(), unmapped);
  // The size is read again rather than kept across the call, which would
  // spill it to the stack and back; nothing but this object changes it.
  if (err != 0 || unmapped != allocator_.newest_size()) [[unlikely]]
    return finish_unmap(err, iova, unmapped, allocator_.newest_size());
  allocator_.release_newest(iova, unmapped);
  mapped_bytes_ -= unmapped;
  return {};
}

// How a backend is chosen for a device.
enum class BackendChoice { automatic, type1, iommufd };
Result<BackendChoice> parse_backend_choice(const std::string& text);  // auto, type1, iommufd

// iommufd when /dev/iommu exists and the function has a vfio cdev
// (sysfs vfio-dev/), type1 otherwise.
Result<BackendKind> resolve_backend(BackendChoice choice, const host::SysfsRoot& root, const DeviceAddress& device);

Result<std::shared_ptr<IommuBackend>> open_backend(BackendKind kind, host::SysfsRoot root = host::SysfsRoot("/sys"));

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/backend/iommu_backend.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "vfiokit/host/iommu/groups.hpp"
#include "vfiokit/vfio/backend/iommufd_backend.hpp"
#include "vfiokit/vfio/backend/memlock.hpp"
#include "vfiokit/vfio/backend/type1_backend.hpp"

namespace vfiokit::vfio {

const char* backend_name(BackendKind kind) { return kind == BackendKind::type1 ? "type1" : "iommufd"; }

Result<BackendChoice> parse_backend_choice(const std::string& text) {
  if (text == "auto") return BackendChoice::automatic;
  if (text == "type1") return BackendChoice::type1;
  if (text == "iommufd") return BackendChoice::iommufd;
  return fail(Errc::invalid_argument, text, "is not a backend (auto, type1, iommufd)");
}

Result<BackendKind> resolve_backend(BackendChoice choice, const host::SysfsRoot& root, const DeviceAddress& device) {
  std::error_code ec;
  const bool has_cdev = std::filesystem::is_directory(device.sysfs_dir(root) / "vfio-dev", ec);
  const bool has_iommufd = ::access("/dev/iommu", F_OK) == 0;
  switch (choice) {
    case BackendChoice::type1: return BackendKind::type1;
    case BackendChoice::iommufd:
      if (!has_iommufd)
        return fail(Errc::unsupported, "/dev/iommu",
                    "does not exist: this kernel has no iommufd (CONFIG_IOMMUFD); use the type1 backend");
      return BackendKind::iommufd;
    case BackendChoice::automatic: break;
  }
  return has_cdev && has_iommufd ? BackendKind::iommufd : BackendKind::type1;
}

Result<std::shared_ptr<IommuBackend>> open_backend(BackendKind kind, host::SysfsRoot root) {
  if (kind == BackendKind::iommufd) {
    auto b = IommufdBackend::open(std::move(root));
    if (!b) return fail(b.error());
    return std::shared_ptr<IommuBackend>(std::move(*b));
  }
  auto b = Type1Backend::open(std::move(root));
  if (!b) return fail(b.error());
  return std::shared_ptr<IommuBackend>(std::move(*b));
}

Result<void> IommuBackend::set_valid_ranges(std::vector<IovaRange> backend_ranges, uint64_t granule,
                                            const std::vector<unsigned>& groups) {
  // The kernel already leaves out the groups' non-relaxable reserved
  // regions; taking them out again from sysfs also covers a kernel that
  // reports a range too generously, and documents where the holes are.
  std::vector<IovaRange> holes;
  for (unsigned id : groups) {
    auto group = host::read_iommu_group(root_, id);
    if (!group) return fail(group.error());
    for (const auto& r : group->reserved_regions)
      if (r.type != "direct-relaxable") holes.push_back({r.start, r.end});
  }
  if (granule != allocator_.granule()) {
    if (allocator_.allocation_count() != 0)
      return fail(Errc::unsupported, describe(), "the IOMMU page size changed while mappings exist");
    allocator_ = fresh_allocator(granule);
  }
  return allocator_.set_usable(subtract_ranges(std::move(backend_ranges), holes));
}

void IommuBackend::forget_mappings() {
  allocator_ = fresh_allocator(allocator_.granule());
  account(-int64_t(mapped_bytes_));
}

Error IommuBackend::misaligned(const void* vaddr, uint64_t size) const {
  if (size == 0) return Error(Errc::invalid_argument, describe(), "a DMA mapping of 0 bytes");
  return Error(Errc::invalid_argument, describe(),
               fmt::format("DMA memory {} (0x{:x} bytes) is not aligned to the IOMMU page size 0x{:x}", vaddr, size,
                           iova_granule()));
}

Error IommuBackend::allocator_refused(const Error& e) const { return Error(e.code(), describe(), e.message()); }

Error IommuBackend::no_mapping_at(Iova iova) const {
  return Error(Errc::invalid_argument, describe(), fmt::format("no DMA mapping starts at {}", iova.str()));
}

Result<Iova> IommuBackend::map_dma_searching(const void* vaddr, uint64_t size, DmaAccess access, uint64_t align,
                                             uint64_t last_usable) {
  if (!mappable(vaddr, size)) return fail(misaligned(vaddr, size));
  if (!dma_.ready()) return fail(not_ready());
  if (memlock_limit_ != UINT64_MAX)
    if (auto ok = check_memlock(size, process_pinned_bytes(), memlock_limit_); !ok) return fail(std::move(ok.error()));
  auto iova = allocator_.allocate({.size = size, .align = align, .last_usable = last_usable});
  if (!iova) return fail(allocator_refused(iova.error()));
  if (const int err = dma_.map(vaddr, iova->value(), size, access)) return finish_map(err, vaddr, *iova, size, access);
  account(int64_t(size));  // page-aligned, so exactly what the allocator took
  return *iova;
}

Result<void> IommuBackend::unmap_dma_searching(Iova iova) {
  const uint64_t size = allocator_.allocation_size(iova);
  if (size == 0) return fail(no_mapping_at(iova));
  uint64_t unmapped = 0;
  if (const int err = dma_.unmap(iova.value(), size, unmapped); err != 0 || unmapped != size)
    return finish_unmap(err, iova, unmapped, size);
  (void)allocator_.release(iova);
  account(-int64_t(size));
  return {};
}

Result<Iova> IommuBackend::finish_map(int err, const void* vaddr, Iova iova, uint64_t size, DmaAccess access) {
  while (err == EINTR) err = dma_.map(vaddr, iova.value(), size, access);
  if (err != 0) {
    (void)allocator_.release(iova);
    return fail(dma_.ready() ? map_failed(err, iova, size) : not_ready());
  }
  account(int64_t(size));
  return iova;
}

Result<void> IommuBackend::finish_unmap(int err, Iova iova, uint64_t unmapped, uint64_t size) {
  while (err == EINTR) err = dma_.unmap(iova.value(), size, unmapped);
  if (err != 0) return fail(unmap_failed(err, iova, size));
  if (unmapped != size) return fail(short_unmap(iova, unmapped, size));
  (void)allocator_.release(iova);
  account(-int64_t(size));
  return {};
}

Result<void> IommuBackend::map_dma_at(const void* vaddr, Iova iova, uint64_t size, DmaAccess access) {
  if (!mappable(vaddr, size)) return fail(misaligned(vaddr, size));
  if (!dma_.ready()) return fail(not_ready());
  if (auto ok = allocator_.reserve(iova, size); !ok)
    return fail(Error(ok.error().code(), describe(), ok.error().message()));
  if (memlock_limit_ != UINT64_MAX)
    if (auto ok = check_memlock(size, process_pinned_bytes(), memlock_limit_); !ok) {
      (void)allocator_.release(iova);
      return fail(ok.error());
    }
  if (const int err = dma_.map(vaddr, iova.value(), size, access)) {
    auto mapped = finish_map(err, vaddr, iova, size, access);  // accounts what it maps
    if (!mapped) return fail(std::move(mapped.error()));
    return {};
  }
  account(int64_t(size));
  return {};
}

IommuBackend::IommuBackend(host::SysfsRoot root) : root_(std::move(root)), memlock_limit_(dma_memlock_limit()) {
  allocator_ = fresh_allocator(allocator_.granule());
}

IovaAllocator IommuBackend::fresh_allocator(uint64_t granule) const {
  IovaAllocator allocator({}, granule);
  // The inline map and unmap paths do not account process-wide: a process
  // held to a limit goes the other way every time (see set_inline_reuse).
  allocator.set_inline_reuse(memlock_limit_ == UINT64_MAX);
  return allocator;
}

IommuBackend::~IommuBackend() { account(-int64_t(mapped_bytes_)); }

Result<Iova> IommuBackend::map_dma_kernel_chosen(const void*, uint64_t, DmaAccess) {
  return fail(Errc::unsupported, describe(), "only iommufd picks IOVAs itself; use map_dma (vfiokit's allocator)");
}

Result<void> IommuBackend::record_kernel_chosen(Iova iova, uint64_t size) {
  if (auto ok = allocator_.reserve(iova, size); !ok) {
    uint64_t unmapped = 0;
    (void)dma_.unmap(iova.value(), size, unmapped);
    return fail(Error(
        Errc::malformed, describe(),
        fmt::format("the kernel chose {} outside what vfiokit knows as valid: {}", iova.str(), ok.error().message())));
  }
  account(int64_t(size));
  return {};
}

Error IommuBackend::map_failed(int err, Iova iova, uint64_t size) const {
  // Both backends charge pinned pages to RLIMIT_MEMLOCK and answer ENOMEM
  // past it (type1's vfio_lock_acct, iommufd's incr_user_locked_vm).
  return Error::from_errno(err, describe(),
                           fmt::format("{} of {} bytes at IOVA {} failed{}", dma_.map_name(), size, iova.str(),
                                       err == ENOMEM ? " (pinned memory beyond RLIMIT_MEMLOCK?)" : ""));
}

Error IommuBackend::unmap_failed(int err, Iova iova, uint64_t size) const {
  return Error::from_errno(err, describe(),
                           fmt::format("{} of {} bytes at IOVA {} failed", dma_.unmap_name(), size, iova.str()));
}

Error IommuBackend::short_unmap(Iova iova, uint64_t done, uint64_t size) const {
  return Error(Errc::io, describe(),
               fmt::format("{} at {} unmapped {} of {} bytes", dma_.unmap_name(), iova.str(), done, size));
}

Error IommuBackend::not_ready() const {
  return Error(Errc::invalid_argument, describe(), "no device is attached yet: open a device first");
}

}  // namespace vfiokit::vfio

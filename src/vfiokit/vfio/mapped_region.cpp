// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/mapped_region.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace vfiokit::vfio {

Result<std::unique_ptr<MappedRegion>> MappedRegion::map(int device_fd, const RegionInfo& info, std::string subject) {
  if (!info.implemented())
    return fail(Errc::not_found, subject, fmt::format("{} is not implemented", region_name(info.index)));
  std::unique_ptr<MappedRegion> r(new MappedRegion(device_fd, info, std::move(subject)));
  const auto areas = info.mappable_areas();
  if (areas.empty()) return r;  // every access through pread/pwrite
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  r->reserved_ = (info.size + page - 1) & ~(page - 1);
  void* base = ::mmap(nullptr, r->reserved_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return fail(Error::from_errno(errno, r->subject_, "cannot reserve address space"));
  r->base_ = static_cast<volatile uint8_t*>(base);
  int prot = (info.readable() ? PROT_READ : 0) | (info.writable() ? PROT_WRITE : 0);
  for (const auto& a : areas) {
    if (a.size == 0) continue;
    void* want = const_cast<uint8_t*>(r->base_) + a.offset;
    void* got = ::mmap(want, a.size, prot, MAP_SHARED | MAP_FIXED, device_fd, off_t(info.offset + a.offset));
    if (got == MAP_FAILED)
      return fail(Error::from_errno(
          errno, r->subject_,
          fmt::format("mmap of {} at 0x{:x} (0x{:x} bytes) failed", region_name(info.index), a.offset, a.size)));
  }
  r->areas_ = areas;
  return r;
}

MappedRegion::~MappedRegion() {
  if (base_) ::munmap(const_cast<uint8_t*>(base_), reserved_);
}

bool MappedRegion::mapped(uint64_t offset, uint64_t length) const {
  for (const auto& a : areas_)
    if (offset >= a.offset && offset - a.offset <= a.size && length <= a.size - (offset - a.offset)) return true;
  return false;
}

Result<void> MappedRegion::access(uint64_t offset, void* data, size_t size, bool write) const {
  if (offset > info_.size || size > info_.size - offset)
    return fail(Errc::out_of_range, subject_,
                fmt::format("{}-byte access at 0x{:x} is beyond {} (0x{:x} bytes)", size, offset,
                            region_name(info_.index), info_.size));
  if (mapped(offset, size)) {
    const Mmio m = mmio();
    switch (size) {
      case 1:
        write ? m.write8(offset, *static_cast<uint8_t*>(data)) : void(*static_cast<uint8_t*>(data) = m.read8(offset));
        return {};
      case 2:
        write ? m.write16(offset, *static_cast<uint16_t*>(data))
              : void(*static_cast<uint16_t*>(data) = m.read16(offset));
        return {};
      case 4:
        write ? m.write32(offset, *static_cast<uint32_t*>(data))
              : void(*static_cast<uint32_t*>(data) = m.read32(offset));
        return {};
      case 8:
        write ? m.write64(offset, *static_cast<uint64_t*>(data))
              : void(*static_cast<uint64_t*>(data) = m.read64(offset));
        return {};
      default: break;
    }
  }
  const ssize_t n = write ? ::pwrite(fd_, data, size, off_t(info_.offset + offset))
                          : ::pread(fd_, data, size, off_t(info_.offset + offset));
  if (n != ssize_t(size))
    return fail(Error::from_errno(n < 0 ? errno : EIO, subject_,
                                  fmt::format("{} of {} bytes at {}+0x{:x} failed", write ? "pwrite" : "pread", size,
                                              region_name(info_.index), offset)));
  return {};
}

}  // namespace vfiokit::vfio

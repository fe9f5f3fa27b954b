// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/backend/iommufd_backend.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>

#include <filesystem>

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/vfio/backend/group.hpp"
#include "vfiokit/vfio/hot_reset.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"
#include "vfiokit/vfio/internal/uapi.hpp"

namespace vfiokit::vfio {

namespace {

uint32_t map_flags(DmaAccess access) {
  return (uint32_t(access) & 1 ? uapi::kIoasMapReadable : 0) | (uint32_t(access) & 2 ? uapi::kIoasMapWriteable : 0);
}
}  // namespace

Result<std::string> vfio_cdev_of(const host::SysfsRoot& root, const DeviceAddress& device) {
  const auto dir = device.sysfs_dir(root) / "vfio-dev";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("vfio", 0) == 0) return "/dev/vfio/devices/" + name;
  }
  if (!std::filesystem::exists(device.sysfs_dir(root), ec))
    return fail(Errc::not_found, device.str(), fmt::format("no such {}", device.kind_name()));
  if (!device.is_mdev() && host::read_link_name(device.sysfs_dir(root) / "driver") != "vfio-pci")
    return fail(not_bound_error(root, device));
  return fail(Errc::unsupported, device.str(), "has no vfio cdev (the kernel lacks CONFIG_VFIO_DEVICE_CDEV)");
}

Result<std::unique_ptr<IommufdBackend>> IommufdBackend::open(host::SysfsRoot root) {
  const int fd = ::open(uapi::kIommufdPath, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT)
      return fail(Error(Errc::unsupported, uapi::kIommufdPath,
                        "does not exist: this kernel has no iommufd (CONFIG_IOMMUFD); use the type1 backend", err));
    return fail(Error::from_errno(err, uapi::kIommufdPath, "cannot open"));
  }
  UniqueFd owned(fd);
  uapi::IommuIoasAlloc alloc;
  if (auto ok = checked_ioctl(fd, uapi::kIommuIoasAlloc, &alloc, "IOMMU_IOAS_ALLOC", uapi::kIommufdPath); !ok)
    return fail(ok.error());
  return std::unique_ptr<IommufdBackend>(new IommufdBackend(std::move(root), std::move(owned), alloc.out_ioas_id));
}

IommufdBackend::~IommufdBackend() {
  uapi::IommuDestroy destroy;
  destroy.id = ioas_;
  ioctl(iommufd_.get(), uapi::kIommuDestroy, &destroy);
}

std::string IommufdBackend::describe() const { return fmt::format("iommufd IOAS {}", ioas_); }

std::optional<uint32_t> IommufdBackend::devid(const DeviceAddress& device) const {
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  return it->second.devid;
}

Result<UniqueFd> IommufdBackend::attach(const DeviceAddress& device) {
  auto group = iommu_group_of(root_, device);
  if (!group) return fail(group.error());
  auto node = vfio_cdev_of(root_, device);
  if (!node) return fail(node.error());
  const int raw = ::open(node->c_str(), O_RDWR | O_CLOEXEC);
  if (raw < 0) {
    if (errno == EBUSY)
      return fail(Error(Errc::permission, *node,
                        fmt::format("{} is already open (the cdev allows one user)", device.str()), EBUSY));
    return fail(Error::from_errno(errno, *node, "cannot open"));
  }
  UniqueFd fd(raw);
  uapi::DeviceBindIommufd bind;
  bind.iommufd = iommufd_.get();
  if (auto ok = checked_ioctl(fd.get(), uapi::kDeviceBindIommufd, &bind, "VFIO_DEVICE_BIND_IOMMUFD", device.str());
      !ok) {
    // Binding claims DMA ownership of the whole group, which fails while a
    // member is bound to a host driver.
    if (!host_bound_members(root_, *group).empty())
      return fail(not_viable_error(root_, *group, ok.error().sys_errno()));
    // vfio_df_open() refuses a device that is already open (through another
    // cdev fd or its group) with EINVAL; our arguments are otherwise valid.
    if (ok.error().sys_errno() == EINVAL)
      return fail(
          Error(Errc::permission, device.str(), "is already open through VFIO (by this or another process)", EINVAL));
    return fail(ok.error());
  }
  uapi::DeviceAttachIommufdPt attach;
  attach.pt_id = ioas_;
  if (auto ok =
          checked_ioctl(fd.get(), uapi::kDeviceAttachIommufdPt, &attach, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", device.str());
      !ok)
    return fail(ok.error());  // closing the fd unbinds
  devices_[device] = {bind.out_devid, *group};
  if (auto ok = refresh_ranges(); !ok) {
    devices_.erase(device);
    return fail(ok.error());
  }
  return fd;
}

void IommufdBackend::detach(const DeviceAddress& device) {
  devices_.erase(device);
  // The IOAS and its mappings stay; ranges widen again without the device.
  (void)refresh_ranges();
}

Result<std::pair<std::vector<IovaRange>, uint64_t>> IommufdBackend::iova_ranges() const {
  std::vector<uapi::IommuIovaRange> ranges(8);
  for (int attempt = 0; attempt < 4; ++attempt) {
    uapi::IommuIoasIovaRanges q;
    q.ioas_id = ioas_;
    q.num_iovas = uint32_t(ranges.size());
    q.allowed_iovas = reinterpret_cast<uint64_t>(ranges.data());
    if (ioctl(iommufd_.get(), uapi::kIommuIoasIovaRanges, &q) != 0) {
      if (errno == EMSGSIZE && q.num_iovas > ranges.size()) {
        ranges.resize(q.num_iovas);  // more ranges than room: ask again
        continue;
      }
      return fail(Error::from_errno(errno, uapi::kIommufdPath, "IOMMU_IOAS_IOVA_RANGES failed"));
    }
    std::vector<IovaRange> out;
    for (uint32_t i = 0; i < q.num_iovas && i < ranges.size(); ++i) out.push_back({ranges[i].start, ranges[i].last});
    return std::pair{out, q.out_iova_alignment ? q.out_iova_alignment : 4096};
  }
  return fail(Errc::malformed, uapi::kIommufdPath, "IOMMU_IOAS_IOVA_RANGES keeps growing");
}

Result<void> IommufdBackend::refresh_ranges() {
  auto r = iova_ranges();
  if (!r) return fail(r.error());
  std::vector<unsigned> groups;
  for (const auto& [bdf, b] : devices_) groups.push_back(b.group);
  return set_valid_ranges(std::move(r->first), r->second, groups);
}

Result<Iova> IommufdBackend::map_dma_kernel_chosen(const void* vaddr, uint64_t size, DmaAccess access) {
  uapi::IommuIoasMap map;
  map.flags = map_flags(access);
  map.ioas_id = ioas_;
  map.user_va = reinterpret_cast<uint64_t>(vaddr);
  map.length = size;
  if (auto ok = checked_ioctl(iommufd_.get(), uapi::kIommuIoasMap, &map, "IOMMU_IOAS_MAP", uapi::kIommufdPath); !ok)
    return fail(ok.error());
  if (auto ok = record_kernel_chosen(Iova(map.iova), size); !ok) return fail(ok.error());
  return Iova(map.iova);
}

Result<std::vector<int32_t>> IommufdBackend::hot_reset_proof(const std::vector<HotResetPeer>& peers) const {
  if (auto ok = check_devids_owned(peers); !ok) return fail(ok.error());
  return std::vector<int32_t>{};  // devids prove ownership: an empty fd array
}

}  // namespace vfiokit::vfio

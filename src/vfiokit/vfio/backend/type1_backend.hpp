// SPDX-License-Identifier: Apache-2.0
// The legacy VFIO path: one container (/dev/vfio/vfio) holding groups
// (/dev/vfio/N), with the type1v2 IOMMU set once the first group joins.
#pragma once

#include <map>
#include <memory>

#include "vfiokit/vfio/backend/group.hpp"
#include "vfiokit/vfio/backend/iommu_backend.hpp"
#include "vfiokit/vfio/dma/dirty_bitmap.hpp"

namespace vfiokit::vfio {

struct Type1Info {
  uint64_t page_sizes = 0;  // bitmap of IOMMU page sizes
  std::vector<IovaRange> ranges;
  std::optional<uint32_t> dma_avail;  // mappings still allowed (dma_entry_limit)
};

class Type1Backend final : public IommuBackend {
 public:
  static Result<std::unique_ptr<Type1Backend>> open(host::SysfsRoot root);
  ~Type1Backend() override;

  BackendKind kind() const override { return BackendKind::type1; }
  std::string describe() const override { return "VFIO container (type1v2)"; }
  Result<UniqueFd> attach(const DeviceAddress& device) override;
  void detach(const DeviceAddress& device) override;
  Result<std::vector<int32_t>> hot_reset_proof(const std::vector<HotResetPeer>& peers) const override;

  int container_fd() const { return container_.get(); }
  // VFIO_IOMMU_GET_INFO with its capability chain (needs a group attached).
  Result<Type1Info> info() const;

  // Dirty-page tracking of the whole container (VFIO_IOMMU_DIRTY_PAGES).
  // type1 cannot see device writes: it reports every pinned page dirty,
  // unless all groups are "pinned page scoped" (mdevs that pin what they
  // touch), when only the pages pinned since are reported.
  Result<void> set_dirty_tracking(bool enabled);
  // GET_BITMAP over the bitmap's range, which must start and end on mapping
  // boundaries, at the IOMMU's smallest page size; ORed into `bitmap`.
  Result<void> read_dirty(DirtyBitmap& bitmap);

 private:
  Type1Backend(host::SysfsRoot root, UniqueFd container)
      : IommuBackend(std::move(root)), container_(std::move(container)) {}
  Result<void> refresh_ranges();

  struct Member {
    Group group;
    unsigned devices = 0;
  };
  UniqueFd container_;
  std::map<unsigned, Member> groups_;
  std::map<DeviceAddress, unsigned> device_groups_;
};

}  // namespace vfiokit::vfio

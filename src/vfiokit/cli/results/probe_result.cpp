// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/results/probe_result.hpp"

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/vfio/migration/migration.hpp"

namespace vfiokit::cli {

ProbeResult probe_device(vfio::Device& dev) {
  ProbeResult r;
  r.device = dev.name();
  r.backend = vfio::backend_name(dev.backend().kind());
  r.backend_detail = dev.backend().describe();
  r.info = dev.info();
  if (auto config = dev.decode_config()) {
    r.vendor_id = config->header.vendor_id;
    r.device_id = config->header.device_id;
  } else {
    r.problems.push_back(config.error());
  }
  if (auto regions = dev.regions()) {
    for (const auto& region : *regions)
      if (region.implemented()) r.regions.push_back(region);
  } else {
    r.problems.push_back(regions.error());
  }
  for (uint32_t i = 0; i < r.info.num_irqs; ++i) {
    if (auto irq = dev.irq_info(i)) r.irqs.push_back(*irq);
    else r.problems.push_back(irq.error());
  }
  const auto methods = host::read_attr(dev.address().sysfs_dir(dev.backend().sysfs()) / "reset_method");
  if (methods && *methods) r.reset_method = **methods;
  if (auto hot = dev.hot_reset_info()) r.hot_reset = std::move(*hot);
  else r.hot_reset_refusal = hot.error().message();
  auto features = dev.feature_ioctl();
  if (auto all = vfio::probe_features(features)) {
    r.features = vfio::offered(*all);
    if (auto mig = vfio::Migration::attach(features)) {
      r.migration = ProbeResult::Migration{mig->caps().describe(), std::nullopt};
      if (auto state = mig->state()) r.migration->state = *state;
    }
  } else {
    r.features_error = all.error().describe();
  }
  const auto& space = dev.backend().iova_space();
  r.iova_ranges = space.usable();
  r.iova_ranges_text = space.describe_usable();
  r.iommu_page_size = space.granule();
  return r;
}

}  // namespace vfiokit::cli

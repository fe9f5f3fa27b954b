// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/probe.hpp"

#include <fmt/format.h>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/cli/render/device_json.hpp"

namespace vfiokit::cli {

namespace {

using nlohmann::ordered_json;

std::string hex(uint64_t v) { return fmt::format("0x{:x}", v); }

std::string feature_ops(const vfio::FeatureSupport& f) { return f.get && f.set ? "get,set" : f.get ? "get" : "set"; }

ordered_json region_json(const vfio::RegionInfo& r) {
  ordered_json j{{"index", r.index},
                 {"name", vfio::region_name(r.index)},
                 {"size", r.size},
                 {"offset", r.offset},
                 {"flags", vfio::region_flag_names(r.flags)}};
  j["sparse_mmap"] = nullptr;
  if (r.sparse_areas) {
    j["sparse_mmap"] = ordered_json::array();
    for (const auto& a : *r.sparse_areas) j["sparse_mmap"].push_back({{"offset", a.offset}, {"size", a.size}});
  }
  j["type"] = r.type ? ordered_json{{"type", r.type->first}, {"subtype", r.type->second}} : ordered_json(nullptr);
  j["msix_mappable"] = r.msix_mappable;
  j["other_caps"] = r.other_caps;
  return j;
}

}  // namespace

std::string probe_text(const ProbeResult& r) {
  std::string t =
      fmt::format("{} through {}\n  device flags: {}; {} regions, {} interrupt indexes\n", r.device, r.backend_detail,
                  vfio::device_flag_names(r.info.flags), r.info.num_regions, r.info.num_irqs);
  if (r.vendor_id && r.device_id) t += fmt::format("  config region: {:04x}:{:04x}\n", *r.vendor_id, *r.device_id);
  t += "  regions:\n";
  for (const auto& region : r.regions) {
    t += fmt::format("    {:<8} {:>10}  {}", vfio::region_name(region.index), ByteSize(region.size).str(),
                     vfio::region_flag_names(region.flags));
    if (region.sparse_areas) {
      t += "  mmap only:";
      for (const auto& a : *region.sparse_areas) t += fmt::format(" {}+{}", hex(a.offset), ByteSize(a.size).str());
      if (region.sparse_areas->empty()) t += " nothing";
    }
    if (region.msix_mappable) t += "  msix-mappable";
    if (region.type) t += fmt::format("  type {}/{}", hex(region.type->first), region.type->second);
    t += "\n";
  }
  t += "  interrupts:\n";
  for (const auto& irq : r.irqs)
    t += fmt::format("    {:<6} {:>4} vectors  {}\n", vfio::irq_name(irq.index), irq.count,
                     irq.count ? vfio::irq_flag_names(irq.flags) : "not supported");
  t += fmt::format("  reset: VFIO_DEVICE_RESET {}{}\n", r.info.reset_supported() ? "supported" : "not supported",
                   r.reset_method ? fmt::format(" (reset_method: {})", *r.reset_method) : "");
  if (r.hot_reset) {
    std::string names;
    for (const auto& p : r.hot_reset->peers) names += (names.empty() ? "" : ", ") + p.bdf.str();
    t += fmt::format("  hot reset: resets {}\n", names);
  } else {
    t += fmt::format("  hot reset: {}\n", r.hot_reset_refusal);
  }
  if (r.features) {
    std::string names;
    for (const auto& f : *r.features)
      names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", f.name(), feature_ops(f));
    t += fmt::format("  device features: {}\n", names.empty() ? "none" : names);
    if (r.migration) {
      t += fmt::format("  migration: {}", r.migration->flags);
      if (r.migration->state) t += fmt::format("; state {}", vfio::mig_state_name(*r.migration->state));
      t += "\n";
    }
  } else {
    t += fmt::format("  device features: {}\n", r.features_error);
  }
  t +=
      fmt::format("  DMA: IOVA ranges {}; IOMMU page size {}\n", r.iova_ranges_text, ByteSize(r.iommu_page_size).str());
  return t;
}

ordered_json probe_json(const ProbeResult& r) {
  // Numbers are integers and what is unknown is null, as in every document.
  ordered_json j{{"schema", "vfiokit.probe/2"}};
  j["device"] = r.device;
  j["backend"] = r.backend;
  j["backend_detail"] = r.backend_detail;
  j["flags"] = vfio::device_flag_names(r.info.flags);
  j["num_regions"] = r.info.num_regions;
  j["num_irqs"] = r.info.num_irqs;
  j["vendor_id"] = r.vendor_id ? ordered_json(*r.vendor_id) : ordered_json(nullptr);
  j["device_id"] = r.device_id ? ordered_json(*r.device_id) : ordered_json(nullptr);
  j["regions"] = ordered_json::array();
  for (const auto& region : r.regions) j["regions"].push_back(region_json(region));
  j["irqs"] = ordered_json::array();
  for (const auto& irq : r.irqs)
    j["irqs"].push_back({{"index", irq.index},
                         {"name", vfio::irq_name(irq.index)},
                         {"count", irq.count},
                         {"flags", vfio::irq_flag_names(irq.flags)}});
  ordered_json reset{{"function_reset", r.info.reset_supported()}};
  reset["reset_method"] = r.reset_method ? ordered_json(*r.reset_method) : ordered_json(nullptr);
  if (r.hot_reset) {
    ordered_json peers = ordered_json::array();
    for (const auto& p : r.hot_reset->peers)
      peers.push_back({{"bdf", p.bdf.str()}, {p.is_devid ? "devid" : "group", p.id}, {"owned", p.owned_by_caller()}});
    reset["hot_reset"] = {{"possible", true}, {"affected", peers}, {"reason", nullptr}};
  } else {
    reset["hot_reset"] = {{"possible", false}, {"affected", ordered_json::array()}, {"reason", r.hot_reset_refusal}};
  }
  j["reset"] = reset;
  j["features"] = nullptr;
  j["features_error"] = nullptr;
  j["migration"] = nullptr;
  if (r.features) {
    ordered_json list = ordered_json::array();
    for (const auto& f : *r.features) list.push_back({{"feature", f.name()}, {"ops", feature_ops(f)}});
    j["features"] = list;
    if (r.migration)
      j["migration"] = {{"flags", r.migration->flags},
                        {"state", r.migration->state ? ordered_json(vfio::mig_state_name(*r.migration->state))
                                                     : ordered_json(nullptr)}};
  } else {
    j["features_error"] = r.features_error;
  }
  ordered_json ranges = ordered_json::array();
  for (const auto& range : r.iova_ranges) ranges.push_back(range_json(range.start, range.last));
  j["dma"] = {{"iova_ranges", ranges}, {"page_size", r.iommu_page_size}};
  j["problems"] = ordered_json::array();
  for (const auto& p : r.problems) j["problems"].push_back(p.describe());
  return j;
}

}  // namespace vfiokit::cli

// `vfiokit probe BDF|UUID [--json] [--backend auto|type1|iommufd]`: opens
// the device (a PCI function or an mdev) through VFIO and reports what the
// kernel says about it: backend, regions with their capabilities,
// interrupts, reset abilities, device features (low power, migration, DMA
// logging), and the IOVA ranges DMA may use.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/device_features.hpp"
#include "vfiokit/vfio/migration/migration.hpp"

namespace vfiokit::cli {
namespace {

using nlohmann::ordered_json;

struct ProbeOptions {
  std::string bdf;
  std::string backend = "auto";
  bool json = false;
};

std::string hex(uint64_t v) { return fmt::format("0x{:x}", v); }

ordered_json region_json(const vfio::RegionInfo& r) {
  ordered_json j{{"index", r.index}, {"name", vfio::region_name(r.index)}, {"size", r.size},
                 {"offset", hex(r.offset)}, {"flags", vfio::region_flag_names(r.flags)}};
  if (r.sparse_areas) {
    j["sparse_mmap"] = ordered_json::array();
    for (const auto& a : *r.sparse_areas) j["sparse_mmap"].push_back({{"offset", hex(a.offset)}, {"size", a.size}});
  }
  if (r.type) j["type"] = {{"type", hex(r.type->first)}, {"subtype", r.type->second}};
  if (r.msix_mappable) j["msix_mappable"] = true;
  if (!r.other_caps.empty()) j["other_caps"] = r.other_caps;
  return j;
}

struct Report {
  ordered_json json;
  std::string text;
};

Report probe(vfio::Device& dev) {
  Report out;
  auto& j = out.json;
  std::string& t = out.text;
  const auto& info = dev.info();
  j["bdf"] = dev.name();
  j["backend"] = vfio::backend_name(dev.backend().kind());
  j["backend_detail"] = dev.backend().describe();
  j["flags"] = vfio::device_flag_names(info.flags);
  j["num_regions"] = info.num_regions;
  j["num_irqs"] = info.num_irqs;
  t += fmt::format("{} through {}\n  device flags: {}; {} regions, {} interrupt indexes\n", dev.name(),
                   dev.backend().describe(), vfio::device_flag_names(info.flags), info.num_regions, info.num_irqs);
  if (auto config = dev.decode_config()) {
    j["vendor_id"] = fmt::format("{:04x}", config->header.vendor_id);
    j["device_id"] = fmt::format("{:04x}", config->header.device_id);
    t += fmt::format("  config region: {:04x}:{:04x}\n", config->header.vendor_id, config->header.device_id);
  } else {
    j["problems"].push_back(config.error().describe());
  }

  j["regions"] = ordered_json::array();
  t += "  regions:\n";
  if (auto regions = dev.regions()) {
    for (const auto& r : *regions) {
      if (!r.implemented()) continue;
      j["regions"].push_back(region_json(r));
      t += fmt::format("    {:<8} {:>10}  {}", vfio::region_name(r.index), ByteSize(r.size).str(),
                       vfio::region_flag_names(r.flags));
      if (r.sparse_areas) {
        t += "  mmap only:";
        for (const auto& a : *r.sparse_areas) t += fmt::format(" {}+{}", hex(a.offset), ByteSize(a.size).str());
        if (r.sparse_areas->empty()) t += " nothing";
      }
      if (r.msix_mappable) t += "  msix-mappable";
      if (r.type) t += fmt::format("  type {}/{}", hex(r.type->first), r.type->second);
      t += "\n";
    }
  } else {
    j["problems"].push_back(regions.error().describe());
  }

  j["irqs"] = ordered_json::array();
  t += "  interrupts:\n";
  for (uint32_t i = 0; i < info.num_irqs; ++i) {
    auto irq = dev.irq_info(i);
    if (!irq) {
      j["problems"].push_back(irq.error().describe());
      continue;
    }
    j["irqs"].push_back({{"index", i}, {"name", vfio::irq_name(i)}, {"count", irq->count},
                         {"flags", vfio::irq_flag_names(irq->flags)}});
    t += fmt::format("    {:<6} {:>4} vectors  {}\n", vfio::irq_name(i), irq->count,
                     irq->count ? vfio::irq_flag_names(irq->flags) : "not supported");
  }

  ordered_json reset{{"function_reset", info.reset_supported()}};
  const auto methods = host::read_attr(dev.address().sysfs_dir(dev.backend().sysfs()) / "reset_method");
  if (methods && *methods) reset["reset_method"] = **methods;
  t += fmt::format("  reset: VFIO_DEVICE_RESET {}{}\n", info.reset_supported() ? "supported" : "not supported",
                   methods && *methods ? fmt::format(" (reset_method: {})", **methods) : "");
  if (auto hot = dev.hot_reset_info()) {
    ordered_json peers = ordered_json::array();
    std::string names;
    for (const auto& p : hot->peers) {
      peers.push_back({{"bdf", p.bdf.str()}, {p.is_devid ? "devid" : "group", p.id}, {"owned", p.owned_by_caller()}});
      names += (names.empty() ? "" : ", ") + p.bdf.str();
    }
    reset["hot_reset"] = {{"possible", true}, {"affected", peers}};
    t += fmt::format("  hot reset: resets {}\n", names);
  } else {
    reset["hot_reset"] = {{"possible", false}, {"reason", hot.error().message()}};
    t += fmt::format("  hot reset: {}\n", hot.error().message());
  }
  j["reset"] = reset;

  auto features = dev.feature_ioctl();
  if (auto all = vfio::probe_features(features)) {
    ordered_json list = ordered_json::array();
    std::string names;
    for (const auto& f : vfio::offered(*all)) {
      const std::string ops = f.get && f.set ? "get,set" : f.get ? "get" : "set";
      list.push_back({{"feature", f.name()}, {"ops", ops}});
      names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", f.name(), ops);
    }
    j["features"] = list;
    t += fmt::format("  device features: {}\n", names.empty() ? "none" : names);
    if (auto mig = vfio::Migration::attach(features)) {
      j["migration"] = {{"flags", mig->caps().describe()}};
      t += fmt::format("  migration: {}", mig->caps().describe());
      if (auto state = mig->state()) {
        j["migration"]["state"] = vfio::mig_state_name(*state);
        t += fmt::format("; state {}", vfio::mig_state_name(*state));
      }
      t += "\n";
    }
  } else {
    j["features"] = {{"error", all.error().describe()}};
    t += fmt::format("  device features: {}\n", all.error().describe());
  }

  const auto& space = dev.backend().iova_space();
  ordered_json ranges = ordered_json::array();
  for (const auto& r : space.usable()) ranges.push_back({{"start", hex(r.start)}, {"last", hex(r.last)}});
  j["dma"] = {{"iova_ranges", ranges}, {"page_size", space.granule()}};
  t += fmt::format("  DMA: IOVA ranges {}; IOMMU page size {}\n", space.describe_usable(), ByteSize(space.granule()).str());
  return out;
}

int run_probe(const ProbeOptions& o) {
  auto address = vfio::DeviceAddress::parse(o.bdf);
  if (!address) {
    print_error(address.error());
    return 1;
  }
  auto choice = vfio::parse_backend_choice(o.backend);
  if (!choice) {
    print_error(choice.error());
    return 2;
  }
  auto dev = vfio::Device::open(*address, *choice);
  if (!dev) {
    print_error(dev.error());
    return 1;
  }
  auto report = probe(**dev);
  if (o.json) {
    ordered_json doc{{"schema", "vfiokit.probe/1"}};
    for (auto& [k, v] : report.json.items()) doc[k] = v;
    print_json(doc);
  } else {
    fmt::print("{}", report.text);
  }
  if (report.json.contains("problems")) {
    for (const auto& p : report.json["problems"]) print_error_line(p.get<std::string>());
    return 1;
  }
  return 0;
}

}  // namespace

Runner add_probe_command(CLI::App& app) {
  auto options = std::make_shared<ProbeOptions>();
  CLI::App* cmd = app.add_subcommand("probe", "Open a device bound to vfio-pci (or an mdev) and show what VFIO reports");
  cmd->add_option("DEVICE", options->bdf, "device address (0000:03:00.0 or 03:00.0) or an mdev UUID")->required();
  cmd->add_flag("--json", options->json, "print JSON (schema vfiokit.probe/1)");
  cmd->add_option("--backend", options->backend, "IOMMU backend: auto (iommufd when the device has a vfio cdev), type1, iommufd")
      ->check(CLI::IsMember({"auto", "type1", "iommufd"}));
  return [cmd, options] { return cmd->parsed() ? run_probe(*options) : -1; };
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// A program of another project using an installed libvfiokit: lists the
// IOMMU groups of a host and probes one device. It is built against the
// installed tree only, once through find_package(vfiokit) and once through
// pkg-config (scripts/check-install), so it proves what a user gets.
//
//   vfiokit-consumer SYSFS_ROOT [BDF]
//
// SYSFS_ROOT is /sys or a tree laid out like it (an unpacked snapshot).
// With BDF, the device's config space is decoded from sysfs and, on the live
// /sys with the device on vfio-pci, it is opened through VFIO and its
// regions are listed.
#include <cstdio>
#include <string>
#include <vfiokit/host/devices/device_config.hpp>
#include <vfiokit/host/view/host_view.hpp>
#include <vfiokit/pci/capability_names.hpp>
#include <vfiokit/pci/device.hpp>
#include <vfiokit/version.hpp>
#include <vfiokit/vfio/device.hpp>

namespace {

int probe(const vfiokit::host::SysfsRoot& root, const std::string& text) {
  auto bdf = vfiokit::pci::Bdf::parse(text);
  if (!bdf) {
    std::fprintf(stderr, "vfiokit-consumer: %s\n", bdf.error().describe().c_str());
    return 2;
  }
  auto config = vfiokit::host::read_device_config(root, *bdf);
  if (!config) {
    std::fprintf(stderr, "vfiokit-consumer: %s\n", config.error().describe().c_str());
    return 1;
  }
  const auto decoded = vfiokit::pci::decode_device(config->config);
  std::printf("%s: %04x:%04x class %06x, %zu BARs, %zu capabilities\n", bdf->str().c_str(), decoded.header.vendor_id,
              decoded.header.device_id, decoded.header.class_code, decoded.header.bars.size(),
              decoded.capabilities.size());
  for (const auto& cap : decoded.capabilities)
    std::printf("  capability %s at 0x%x\n", vfiokit::pci::capability_name(cap.ref.space, cap.ref.id).c_str(),
                unsigned(cap.ref.offset));
  if (!root.is_live()) return 0;
  auto device = vfiokit::vfio::Device::open(*bdf);
  if (!device) {
    std::printf("not opened through VFIO: %s\n", device.error().describe().c_str());
    return 0;
  }
  auto regions = (*device)->regions();
  if (!regions) return std::fprintf(stderr, "vfiokit-consumer: %s\n", regions.error().describe().c_str()), 1;
  for (const auto& r : *regions) std::printf("  region %u: %llu bytes\n", r.index, (unsigned long long)r.size);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: vfiokit-consumer SYSFS_ROOT [BDF]\n");
    return 2;
  }
  const vfiokit::host::SysfsRoot root(argv[1]);
  const auto host = vfiokit::host::read_host(root);
  std::printf("libvfiokit %s: %zu functions, %zu IOMMU groups\n", vfiokit::kVersion, host.functions.size(),
              host.groups.size());
  for (const auto& g : host.groups)
    std::printf("group %u: %zu devices, %s\n", g.id, g.devices.size(), host.group_viable(g) ? "viable" : "not viable");
  return argc == 3 ? probe(root, argv[2]) : 0;
}

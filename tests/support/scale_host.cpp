// SPDX-License-Identifier: Apache-2.0
#include "support/scale_host.hpp"

#include <unistd.h>

#include <map>
#include <memory>

namespace vfiokit::testing {

namespace {

using pci::Bdf;
using pci::PcieType;

constexpr unsigned kPfs = 16;

ConfigBuilder port(uint16_t device, PcieType type) {
  ConfigBuilder b;
  b.ids(0x10b5, device).class_code(0x060400).header_type(1).pci_express(0x40, type).acs(0x100, 0x001f, 0x001f);
  return b;
}

// A PF with `vfs` VFs enabled right after it (First VF Offset 1, VF Stride
// 1, as with ARI), or one of those VFs.
ConfigBuilder function(bool pf, uint16_t vfs) {
  ConfigBuilder b;
  b.ids(0x15b3, pf ? 0x101d : kScaleVfDevice).class_code(0x020000).header_type(0).pci_express(0x40, PcieType::endpoint);
  b.msix(0x80, 64, 0x2000, 0x3000);
  if (pf) {
    b.sriov(0x100, 255, vfs, kScaleVfDevice);
    b.u16(0x100 + 0x08, 0x19).u16(0x100 + 0x14, 1).u16(0x100 + 0x16, 1);  // VF Enable, VF MSE, ARI; offset, stride
  }
  return b;
}

}  // namespace

const ScaleHost& scale_host(const ScaleShape& shape) {
  static std::map<ScaleShape, std::unique_ptr<ScaleHost>> hosts;
  auto& host = hosts[shape];
  if (host) return *host;
  host = std::make_unique<ScaleHost>();
  auto* t = &host->sysfs;
  unsigned group = 0;
  const auto grouped = [&](const Bdf& bdf) {
    if (shape.iommu_groups) t->iommu_group(bdf, group++);
  };
  const Bdf rp(0, 0, 1, 0), up(0, 1, 0, 0);
  t->add(rp, port(0x8747, PcieType::root_port)).add(up, port(0x8747, PcieType::upstream_port), rp);
  grouped(rp);
  grouped(up);
  const unsigned per_pf = shape.functions / kPfs;
  for (unsigned i = 0; i < kPfs; ++i) {
    const Bdf dp(0, 2, static_cast<uint8_t>(i), 0);
    t->add(dp, port(0x8748, PcieType::downstream_port), up);
    grouped(dp);
    // With ARI the PF and its VFs fill the devfns of the port's bus.
    for (unsigned fn = 0; fn < per_pf; ++fn) {
      const Bdf f(0, static_cast<uint8_t>(3 + i), static_cast<uint8_t>(fn >> 3), static_cast<uint8_t>(fn & 7));
      t->add(f, function(fn == 0, static_cast<uint16_t>(per_pf - 1)), dp, fn > 0 ? shape.vf_driver : "");
      if (fn > 0) t->link(f, "physfn", Bdf(0, static_cast<uint8_t>(3 + i), 0, 0));
      grouped(f);
      host->functions.push_back({t->device_dir(dp), f.str(), fn > 0});
    }
  }
  // Written back before anything is timed: the kernel's flush of a tree
  // just written would otherwise land in some command's time.
  ::sync();
  return *host;
}

}  // namespace vfiokit::testing

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/virtual_function_parents.hpp"

namespace vfiokit::host {
namespace {

// A PF with VFs enabled: where its VFs start and how far apart they sit.
struct VfRange {
  pci::Bdf pf;
  uint32_t first = 0;  // routing ID (bus << 8 | devfn) of VF 0
  uint32_t stride = 0;
  uint32_t count = 0;

  bool holds(const pci::Bdf& vf) const {
    if (vf.domain() != pf.domain()) return false;
    const uint32_t rid = uint32_t{vf.bus()} << 8 | vf.devfn();
    if (rid < first) return false;
    const uint32_t step = rid - first;
    if (stride == 0) return step == 0 && count == 1;
    return step % stride == 0 && step / stride < count;
  }
};

}  // namespace

void find_virtual_function_parents(std::vector<PciFunction>& functions,
                                   const std::function<std::optional<pci::Bdf>(const PciFunction&)>& read_link) {
  std::vector<VfRange> ranges;
  for (const auto& pf : functions) {
    const pci::Sriov* sriov = pf.config ? pf.config->find<pci::Sriov>() : nullptr;
    if (!sriov || !sriov->vf_enable() || sriov->num_vfs == 0) continue;
    if (sriov->num_vfs > 1 && sriov->vf_stride == 0) continue;  // every VF at one address: not a real layout
    const uint32_t rid = uint32_t{pf.bdf.bus()} << 8 | pf.bdf.devfn();
    ranges.push_back({pf.bdf, rid + sriov->vf_offset, sriov->vf_stride, sriov->num_vfs});
  }
  // Each VF is asked of every such PF: a host has few, and a snapshot with
  // garbage in every capability costs time in proportion, not memory.
  for (auto& f : functions) {
    if (!f.virtual_function || f.physfn) continue;
    const VfRange* claim = nullptr;
    bool ambiguous = false;
    for (const auto& r : ranges) {
      if (!r.holds(f.bdf)) continue;
      ambiguous = claim != nullptr;
      claim = &r;
    }
    f.physfn = claim && !ambiguous ? std::optional(claim->pf) : read_link(f);
  }
}

}  // namespace vfiokit::host

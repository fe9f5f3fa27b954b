#include "host/virtual_function_parents.hpp"

#include <unordered_map>

namespace vfiokit::host {
namespace {

// Domain and routing ID (bus << 8 | devfn) in one key.
uint32_t key(uint16_t domain, uint32_t rid) { return uint32_t{domain} << 16 | rid; }

}  // namespace

void find_virtual_function_parents(std::vector<PciFunction>& functions,
                                   const std::function<std::optional<pci::Bdf>(const PciFunction&)>& read_link) {
  // Each VF address a PF claims; nullopt where two PFs claim one.
  std::unordered_map<uint32_t, std::optional<pci::Bdf>> claimed;
  for (const auto& pf : functions) {
    const pci::Sriov* sriov = pf.config ? pf.config->find<pci::Sriov>() : nullptr;
    if (!sriov || !sriov->vf_enable() || sriov->num_vfs == 0) continue;
    if (sriov->num_vfs > 1 && sriov->vf_stride == 0) continue;  // every VF at one address: not a real layout
    const uint32_t rid = uint32_t{pf.bdf.bus()} << 8 | pf.bdf.devfn();
    for (uint32_t i = 0; i < sriov->num_vfs; ++i) {
      const uint32_t vf = rid + sriov->vf_offset + i * sriov->vf_stride;
      if (vf > 0xffff) break;  // past the last bus
      auto [it, fresh] = claimed.emplace(key(pf.bdf.domain(), vf), pf.bdf);
      if (!fresh) it->second.reset();
    }
  }
  for (auto& f : functions) {
    if (!f.virtual_function || f.physfn) continue;
    const auto it = claimed.find(key(f.bdf.domain(), uint32_t{f.bdf.bus()} << 8 | f.bdf.devfn()));
    f.physfn = it != claimed.end() && it->second ? it->second : read_link(f);
  }
}

}  // namespace vfiokit::host

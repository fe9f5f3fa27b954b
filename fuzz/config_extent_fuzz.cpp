// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the config read that stops after the last extended
// capability (host/config_to_last_capability.hpp), fed whatever a device
// might answer: the read must end, stay inside the 4096 bytes, and leave
// the decoder the same chain and the same bytes under each capability as
// the whole file. A difference is a crash here.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "vfiokit/host/devices/config_to_last_capability.hpp"
#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/device.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vfiokit;
  std::vector<uint8_t> whole(pci::kExtendedSize, 0);
  // The input is the extended space (from 0x100), so every byte fuzzed is
  // one the chain can reach; the header declares a PCI Express function so
  // the decoder walks it too.
  std::copy_n(data, std::min(size, whole.size() - pci::kConventionalSize), whole.begin() + pci::kConventionalSize);
  whole[0x06] = 0x10;  // Status.CapList
  whole[0x34] = 0x40;
  whole[0x40] = 0x10;  // PCI Express, the only standard capability
  size_t asked = 0;
  auto partial = host::read_config_to_last_capability(
      [&](size_t offset, std::span<uint8_t> into) -> Result<size_t> {
        require(offset + into.size() <= whole.size());
        std::copy_n(whole.begin() + static_cast<ptrdiff_t>(offset), into.size(), into.begin());
        asked += into.size();
        return into.size();
      },
      whole.size());
  require(partial.has_value() && partial->bytes.size() == whole.size() && partial->read == asked);
  auto a = pci::ConfigSpace::from_bytes(whole), b = pci::ConfigSpace::from_bytes(partial->bytes);
  require(a && b);
  const auto full = pci::walk_extended_capabilities(*a), part = pci::walk_extended_capabilities(*b);
  require(full.entries.size() == part.entries.size());
  for (size_t i = 0; i < full.entries.size(); ++i) {
    const auto& cap = full.entries[i];
    require(cap.offset == part.entries[i].offset && cap.id == part.entries[i].id);
    const size_t end = std::min<size_t>(cap.offset + host::kCapabilityWindow, whole.size());
    require(std::equal(whole.begin() + cap.offset, whole.begin() + static_cast<ptrdiff_t>(end),
                       partial->bytes.begin() + cap.offset));
  }
  require(full.defect.has_value() == part.defect.has_value());
  require(pci::decode_device(*a).capabilities.size() == pci::decode_device(*b).capabilities.size());
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Everything vfiokit reads from one function's config space: the header, both
// capability chains, and a typed decode of each capability it knows.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/caps/acs.hpp"
#include "vfiokit/pci/caps/aer.hpp"
#include "vfiokit/pci/caps/ari.hpp"
#include "vfiokit/pci/caps/dsn.hpp"
#include "vfiokit/pci/caps/msi.hpp"
#include "vfiokit/pci/caps/msix.hpp"
#include "vfiokit/pci/caps/pci_express.hpp"
#include "vfiokit/pci/caps/power_management.hpp"
#include "vfiokit/pci/caps/resizable_bar.hpp"
#include "vfiokit/pci/caps/slot_id.hpp"
#include "vfiokit/pci/caps/sriov.hpp"
#include "vfiokit/pci/config_space.hpp"
#include "vfiokit/pci/header.hpp"

namespace vfiokit::pci {

using CapabilityBody = std::variant<std::monostate, PowerManagement, Msi, MsiX, PciExpress, Acs, ResizableBar, Sriov,
                                    Ari, Aer, DeviceSerialNumber, SlotIdentification>;

struct DecodedCapability {
  CapabilityRef ref;
  CapabilityBody body;         // monostate for IDs without a typed decoder
  std::optional<Error> error;  // why a known capability could not be decoded
};

struct DecodedDevice {
  size_t config_size = 0;
  Header header;
  std::vector<DecodedCapability> capabilities;  // standard list first, then extended
  std::vector<ChainDefect> chain_defects;

  // The first capability whose typed decode is T (e.g. find<Acs>()).
  template <class T>
  const T* find() const {
    for (const auto& cap : capabilities)
      if (const T* body = std::get_if<T>(&cap.body)) return body;
    return nullptr;
  }
  // Only the first 64 bytes were available: capabilities could not be read.
  bool header_only() const { return config_size < kConventionalSize; }
  bool has_defects() const;
};

// Never fails for a valid ConfigSpace: what cannot be decoded is recorded in
// the result (chain defects, per-capability errors, header problems).
DecodedDevice decode_device(const ConfigSpace& config);

}  // namespace vfiokit::pci

// SPDX-License-Identifier: Apache-2.0
// Access Control Services, extended capability ID 0x000D (PCIe r6 §7.7.8).
// ACS decides IOMMU group boundaries in Linux: a port or multifunction device
// isolates only when the flags the kernel requires are enabled.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

namespace acs {
inline constexpr uint16_t kSourceValidation = 0x0001;     // SV
inline constexpr uint16_t kTranslationBlocking = 0x0002;  // TB
inline constexpr uint16_t kRequestRedirect = 0x0004;      // RR
inline constexpr uint16_t kCompletionRedirect = 0x0008;   // CR
inline constexpr uint16_t kUpstreamForwarding = 0x0010;   // UF
inline constexpr uint16_t kEgressControl = 0x0020;        // EC
inline constexpr uint16_t kDirectTranslated = 0x0040;     // DT
// drivers/iommu/iommu.c REQ_ACS_FLAGS: what pci_device_group() asks for.
inline constexpr uint16_t kKernelRequired =
    kSourceValidation | kRequestRedirect | kCompletionRedirect | kUpstreamForwarding;
// Every flag with its short name, in register order.
inline constexpr std::array<std::pair<uint16_t, const char*>, 7> kFlagNames = {{{kSourceValidation, "SV"},
                                                                                {kTranslationBlocking, "TB"},
                                                                                {kRequestRedirect, "RR"},
                                                                                {kCompletionRedirect, "CR"},
                                                                                {kUpstreamForwarding, "UF"},
                                                                                {kEgressControl, "EC"},
                                                                                {kDirectTranslated, "DT"}}};
}  // namespace acs

struct Acs {
  static constexpr uint16_t kId = 0x000d;
  uint16_t capability = 0;
  uint16_t control = 0;
  unsigned egress_vector_bits = 0;

  // pci_acs_flags_enabled(): a flag the capability register does not offer is
  // taken as hard-wired on, except Egress Control, so only offered flags must
  // be enabled in the control register.
  uint16_t required_flags() const { return acs::kKernelRequired & (capability | acs::kEgressControl); }
  uint16_t missing_required() const { return required_flags() & ~control; }
  bool kernel_required_enabled() const { return missing_required() == 0; }
};

Result<Acs> decode_acs(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci

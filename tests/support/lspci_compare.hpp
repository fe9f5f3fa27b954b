// SPDX-License-Identifier: Apache-2.0
// Comparing vfiokit's decode with what lspci -vvv prints: the capability
// list, Resizable BAR sizes and current sizes, and ACS bits. Used by the
// differential test on dumps and by the lab on the live devices of a guest.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vfiokit::testing {

struct CapKey {
  std::string space;
  unsigned offset = 0;
  unsigned id = 0;
  auto operator<=>(const CapKey&) const = default;
};

// The facts both sides report, in one shape.
struct CapabilityView {
  std::vector<CapKey> caps;
  bool standard_broken = false;
  bool extended_broken = false;
  std::map<std::string, std::string> rebar;          // "offset/BAR n" -> "current|s1 s2 ..."
  std::map<unsigned, std::string> acs_cap, acs_ctl;  // offset -> "SrcValid+ TransBlk- ..."
  std::map<unsigned, std::string> slot_id;           // offset -> "2 slots, First+, chassis 01"
};

// One device's `lspci -vvv` output.
CapabilityView parse_lspci(const std::string& lspci_output);
// One device of vfiokit's JSON (schema vfiokit.devices/2).
CapabilityView view_of_vfiokit(const nlohmann::json& device);
// GoogleTest expectations that both views agree.
void expect_same_capabilities(const CapabilityView& ours, const CapabilityView& lspci);

}  // namespace vfiokit::testing

// SPDX-License-Identifier: Apache-2.0
#include "support/lspci_compare.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <sstream>

#include "vfiokit/base/byte_size.hpp"

namespace vfiokit::testing {
namespace {

using nlohmann::json;

// lspci's labels for the capabilities in the corpus (ls-caps.c, ls-ecaps.c).
std::optional<unsigned> lspci_label_id(const std::string& space, const std::string& label) {
  static const std::vector<std::pair<std::string, unsigned>> kStandard = {
      {"Power Management", 0x01}, {"MSI-X", 0x11},    {"MSI", 0x05},       {"Express", 0x10},
      {"Vendor Specific", 0x09},  {"PCI-X", 0x07},    {"Subsystem", 0x0d}, {"Null", 0x00},
      {"PCI Hot-plug", 0x0c},     {"Hot-plug", 0x0c}, {"SATA", 0x12},      {"PCI Advanced Features", 0x13},
      {"Slot ID", 0x04}};
  static const std::vector<std::pair<std::string, unsigned>> kExtended = {{"Advanced Error Reporting", 0x01},
                                                                          {"Device Serial Number", 0x03},
                                                                          {"Access Control Services", 0x0d},
                                                                          {"Alternative Routing-ID", 0x0e},
                                                                          {"Single Root I/O", 0x10},
                                                                          {"Physical Resizable BAR", 0x15},
                                                                          {"Virtual Resizable BAR", 0x24},
                                                                          {"Null", 0x00},
                                                                          {"Virtual Channel", 0x02},
                                                                          {"Latency Tolerance", 0x18},
                                                                          {"Secondary PCI Express", 0x19},
                                                                          {"Address Translation Service", 0x0f},
                                                                          {"Page Request Interface", 0x13},
                                                                          {"Process Address Space ID", 0x1b},
                                                                          {"Downstream Port Containment", 0x1d},
                                                                          {"L1 PM Substates", 0x1e},
                                                                          {"Precision Time Measurement", 0x1f},
                                                                          {"Transaction Processing Hints", 0x17},
                                                                          {"Vendor Specific Information", 0x0b},
                                                                          {"Designated Vendor-Specific", 0x23},
                                                                          {"Data Link Feature", 0x25},
                                                                          {"Physical Layer 16.0 GT/s", 0x26},
                                                                          {"Lane Margining at the Receiver", 0x27},
                                                                          {"Power Budgeting", 0x04},
                                                                          {"Multicast", 0x12}};
  std::smatch m;
  static const std::regex kUnknownExt(R"(^Extended Capability ID (0x[0-9a-f]+))");
  static const std::regex kUnknownStd(R"(^#([0-9a-f]{2}))");
  if (std::regex_search(label, m, kUnknownExt)) return std::stoul(m[1], nullptr, 16);
  if (std::regex_search(label, m, kUnknownStd)) return std::stoul(m[1], nullptr, 16);
  for (const auto& [prefix, id] : space == "standard" ? kStandard : kExtended)
    if (label.rfind(prefix, 0) == 0) return id;
  return std::nullopt;
}

}  // namespace

CapabilityView parse_lspci(const std::string& out) {
  CapabilityView d;
  static const std::regex kCap(R"(^\tCapabilities: \[([0-9a-f]+)(?: v(\d+))?\] (.*)$)");
  static const std::regex kRebar(R"(^\t\tBAR (\d): current size: (\S+), supported: (.*)$)");
  static const std::regex kAcs(R"(^\t\tACS(Cap|Ctl):\t(.*)$)");
  std::istringstream in(out);
  std::string line;
  unsigned current_offset = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kCap)) {
      current_offset = static_cast<unsigned>(std::stoul(m[1], nullptr, 16));
      const std::string space = m[1].length() == 3 ? "extended" : "standard";
      const std::string label = m[3];
      if (label.find("<chain looped>") != std::string::npos || label.find("<chain broken>") != std::string::npos) {
        (space == "standard" ? d.standard_broken : d.extended_broken) = true;
        continue;
      }
      const auto id = lspci_label_id(space, label);
      if (!id) ADD_FAILURE() << "lspci label not in the test's table: " << label;
      d.caps.push_back(CapKey{space, current_offset, id.value_or(0xffff)});
      // ls-caps.c cap_slotid: "Slot ID: 2 slots, First+, chassis 01".
      if (label.rfind("Slot ID: ", 0) == 0) d.slot_id[current_offset] = label.substr(9);
    } else if (std::regex_match(line, m, kRebar)) {
      d.rebar[std::to_string(current_offset) + "/" + m[1].str()] = m[2].str() + "|" + m[3].str();
    } else if (std::regex_match(line, m, kAcs)) {
      (m[1] == "Cap" ? d.acs_cap : d.acs_ctl)[current_offset] = m[2];
    }
  }
  return d;
}

namespace {
std::string acs_flags_text(const json& flags, const char* which) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"SV", "SrcValid"},    {"TB", "TransBlk"},   {"RR", "ReqRedir"},   {"CR", "CmpltRedir"},
      {"UF", "UpstreamFwd"}, {"EC", "EgressCtrl"}, {"DT", "DirectTrans"}};
  std::string s;
  for (const auto& [key, name] : kNames) {
    if (!s.empty()) s += ' ';
    s += std::string(name) + (flags[key][which].get<bool>() ? '+' : '-');
  }
  return s;
}

}  // namespace

CapabilityView view_of_vfiokit(const json& dev) {
  CapabilityView v;
  for (const auto& cap : dev["capabilities"]) {
    const unsigned offset = cap["offset"];
    v.caps.push_back(CapKey{cap["space"], offset, cap["id"]});
    if (!cap.contains("decoded")) continue;
    const json& body = cap["decoded"];
    if (cap["space"] == "extended" && (cap["id"] == 0x15 || cap["id"] == 0x24)) {
      for (const auto& bar : body["bars"]) {
        std::string sizes;
        for (const auto& s : bar["supported_sizes"])
          sizes += (sizes.empty() ? "" : " ") + ByteSize(s["bytes"].get<uint64_t>()).lspci_str();
        v.rebar[std::to_string(offset) + "/" + std::to_string(bar["bar"].get<unsigned>())] =
            ByteSize(bar["current_size"]["bytes"].get<uint64_t>()).lspci_str() + "|" + sizes;
      }
    }
    if (cap["space"] == "standard" && cap["id"] == 0x04)
      v.slot_id[offset] = std::to_string(body["expansion_slots"].get<unsigned>()) + " slots, First" +
                          (body["first_in_chassis"].get<bool>() ? "+" : "-") + ", chassis " +
                          fmt::format("{:02x}", body["chassis"].get<unsigned>());
    if (cap["space"] == "extended" && cap["id"] == 0x0d) {
      v.acs_cap[offset] = acs_flags_text(body["flags"], "capable");
      v.acs_ctl[offset] = acs_flags_text(body["flags"], "enabled");
    }
  }
  for (const auto& d : dev["defects"]) (d["space"] == "standard" ? v.standard_broken : v.extended_broken) = true;
  return v;
}

void expect_same_capabilities(const CapabilityView& ours, const CapabilityView& theirs) {
  EXPECT_EQ(ours.caps, theirs.caps);
  EXPECT_EQ(ours.rebar, theirs.rebar);
  EXPECT_EQ(ours.acs_cap, theirs.acs_cap);
  EXPECT_EQ(ours.acs_ctl, theirs.acs_ctl);
  EXPECT_EQ(ours.slot_id, theirs.slot_id);
  // Where lspci saw a broken chain we report a defect (we also report
  // defects lspci does not look for, such as pointers into the header).
  if (theirs.standard_broken) {
    EXPECT_TRUE(ours.standard_broken);
  }
  if (theirs.extended_broken) {
    EXPECT_TRUE(ours.extended_broken);
  }
}

}  // namespace vfiokit::testing

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/device_json.hpp"

#include <array>

#include "vfiokit/pci/capability_names.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;
using namespace vfiokit::pci;

json window_json(const std::optional<Window>& w) {
  if (!w || !w->enabled()) return nullptr;
  return json{{"base", w->base}, {"limit", w->limit}};
}

// `sizes` by BAR index when the host said them; null otherwise.
json bars_json(const std::vector<Bar>& bars, const std::vector<uint64_t>* sizes = nullptr) {
  json out = json::array();
  for (const auto& b : bars)
    out.push_back({{"index", b.index},
                   {"kind", bar_kind_name(b.kind)},
                   {"prefetchable", b.prefetchable},
                   {"address", b.address},
                   {"size", sizes && b.index < sizes->size() ? json((*sizes)[b.index]) : json(nullptr)}});
  return out;
}

struct BodyJson {
  json operator()(std::monostate) const { return nullptr; }
  json operator()(const PowerManagement& pm) const {
    const auto& kStates = kPowerStateNames;
    json pme = json::array();
    for (size_t i = 0; i < kStates.size(); ++i)
      if (pm.pme_support & (1u << i)) pme.push_back(kStates[i]);
    return {{"version", pm.version},
            {"d1_supported", pm.d1_supported},
            {"d2_supported", pm.d2_supported},
            {"pme_from", pme},
            {"aux_current_ma", pm.aux_current_ma},
            {"current_state", kStates[pm.current_state]},
            {"no_soft_reset", pm.no_soft_reset},
            {"pme_enabled", pm.pme_enabled}};
  }
  json operator()(const Msi& m) const {
    json j{{"enabled", m.enabled},
           {"vectors_capable", m.vectors_capable},
           {"vectors_enabled", m.vectors_enabled},
           {"address_64bit", m.address_64bit},
           {"per_vector_masking", m.per_vector_masking},
           {"address", m.address},
           {"data", m.data}};
    if (m.mask_bits) j["mask_bits"] = *m.mask_bits;
    return j;
  }
  json operator()(const MsiX& x) const {
    return {{"enabled", x.enabled},      {"function_masked", x.function_masked}, {"table_size", x.table_size},
            {"table_bar", x.table_bar},  {"table_offset", x.table_offset},       {"pba_bar", x.pba_bar},
            {"pba_offset", x.pba_offset}};
  }
  json operator()(const PciExpress& e) const {
    json j{{"version", e.version},
           {"type", pcie_type_name(e.type)},
           {"type_id", static_cast<unsigned>(e.type)},
           {"function_level_reset", e.function_level_reset},
           {"max_payload_supported", e.max_payload_supported}};
    if (e.has_link) {
      j["link_capable"] = {{"speed", link_speed_name(e.link_capable.speed)}, {"width", e.link_capable.width}};
      j["link_status"] = {{"speed", link_speed_name(e.link_current.speed)},
                          {"width", e.link_current.width},
                          {"dll_link_active", e.dll_link_active}};
      j["port_number"] = e.port_number;
    }
    if (e.slot)
      j["slot"] = {{"physical_number", e.slot->physical_number}, {"hot_plug_capable", e.slot->hot_plug_capable}};
    return j;
  }
  json operator()(const Acs& a) const {
    json flags = json::object();
    json missing = json::array();
    for (const auto& [bit, name] : acs::kFlagNames) {
      flags[name] = {{"capable", (a.capability & bit) != 0}, {"enabled", (a.control & bit) != 0}};
      if (a.missing_required() & bit) missing.push_back(name);
    }
    return {{"capability", a.capability},
            {"control", a.control},
            {"flags", flags},
            {"kernel_required_enabled", a.kernel_required_enabled()},
            {"missing_required", missing}};
  }
  json operator()(const ResizableBar& r) const {
    json bars = json::array();
    for (const auto& e : r.entries) {
      json sizes = json::array();
      for (unsigned enc : e.supported_encodings()) sizes.push_back(size_json(rebar::size_of(enc)));
      bars.push_back({{"bar", e.bar_index},
                      {"current_encoding", e.current},
                      {"current_size", size_json(e.current_size())},
                      {"supported_bitmap", e.supported},
                      {"supported_sizes", sizes}});
    }
    return {{"for_vfs", r.for_vfs}, {"bars", bars}};
  }
  json operator()(const Sriov& s) const {
    return {{"initial_vfs", s.initial_vfs},
            {"total_vfs", s.total_vfs},
            {"num_vfs", s.num_vfs},
            {"vf_offset", s.vf_offset},
            {"vf_stride", s.vf_stride},
            {"vf_device_id", s.vf_device_id},
            {"vf_enable", s.vf_enable()},
            {"vf_memory_space", s.vf_memory_space()},
            {"ari_hierarchy", s.ari_hierarchy()},
            {"supported_page_sizes", s.supported_page_sizes},
            {"system_page_size", s.system_page_size},
            {"vf_bars", bars_json(s.vf_bars)}};
  }
  json operator()(const Ari& a) const {
    return {{"next_function", a.next_function},
            {"mfvc_function_groups", a.mfvc_function_groups},
            {"acs_function_groups", a.acs_function_groups},
            {"function_group", a.function_group}};
  }
  json operator()(const Aer& a) const {
    return {{"uncorrectable_status", a.uncorrectable_status},
            {"uncorrectable_mask", a.uncorrectable_mask},
            {"uncorrectable_severity", a.uncorrectable_severity},
            {"correctable_status", a.correctable_status},
            {"correctable_mask", a.correctable_mask},
            {"first_error_pointer", a.first_error_pointer()},
            {"has_root_registers", a.root.has_value()}};
  }
  json operator()(const DeviceSerialNumber& d) const { return {{"serial", d.str()}}; }
  json operator()(const SlotIdentification& s) const {
    return {{"expansion_slots", s.expansion_slots}, {"first_in_chassis", s.first_in_chassis}, {"chassis", s.chassis}};
  }
};

}  // namespace

json capability_json(const DecodedCapability& cap) {
  json j{{"space", cap.ref.space == CapSpace::standard ? "standard" : "extended"},
         {"id", cap.ref.id},
         {"offset", cap.ref.offset},
         {"name", capability_name(cap.ref.space, cap.ref.id)}};
  if (cap.ref.space == CapSpace::extended) j["version"] = cap.ref.version;
  if (json body = std::visit(BodyJson{}, cap.body); !body.is_null()) j["decoded"] = std::move(body);
  if (cap.error) j["error"] = cap.error->describe();
  return j;
}

json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json device_json(const DeviceLabel& label, const DecodedDevice& d, host::PciNames& names) {
  const Header& h = d.header;
  json j{{"bdf", label.bdf ? json(label.bdf->str()) : json(nullptr)},
         {"config_size", d.config_size},
         {"header_only", d.header_only()},
         {"vendor_id", h.vendor_id},
         {"device_id", h.device_id},
         {"vendor_name", text_or_null(names.vendor(h.vendor_id))},
         {"device_name", text_or_null(names.device(h.vendor_id, h.device_id))},
         {"class_code", h.class_code},
         {"class_name", text_or_null(names.device_class(h.class_code))},
         {"revision", h.revision},
         {"header_type", h.layout},
         {"multifunction", h.multifunction},
         {"command", h.command},
         {"status", h.status},
         {"interrupt_pin", h.interrupt_pin},
         {"interrupt_line", h.interrupt_line},
         {"bars", bars_json(h.bars, label.host ? &label.host->bar_sizes : nullptr)},
         {"driver", label.host && !label.host->driver.empty() ? json(label.host->driver) : json(nullptr)}};
  if (!label.title.empty()) j["title"] = label.title;
  if (label.source_line) j["source_line"] = label.source_line;
  // A bridge's header has no subsystem IDs: null, as for anything absent.
  j["subsystem_vendor_id"] = h.subsystem_vendor_id ? json(*h.subsystem_vendor_id) : json(nullptr);
  j["subsystem_id"] = h.subsystem_vendor_id ? json(h.subsystem_id.value_or(0)) : json(nullptr);
  if (h.bridge) {
    const BridgeInfo& b = *h.bridge;
    j["bridge"] = {{"primary_bus", b.primary_bus},
                   {"secondary_bus", b.secondary_bus},
                   {"subordinate_bus", b.subordinate_bus},
                   {"io_window", window_json(b.io_window)},
                   {"memory_window", window_json(b.memory_window)},
                   {"prefetch_window", window_json(b.prefetch_window)},
                   {"prefetch_window_64bit", b.prefetch_window_64bit}};
  }
  json caps = json::array();
  for (const auto& cap : d.capabilities) caps.push_back(capability_json(cap));
  j["capabilities"] = std::move(caps);
  json defects = json::array();
  for (const auto& def : d.chain_defects)
    defects.push_back({{"space", def.space == CapSpace::standard ? "standard" : "extended"},
                       {"offset", def.offset},
                       {"reason", def.reason}});
  j["defects"] = std::move(defects);
  json problems = json::array();
  for (const auto& p : h.problems) problems.push_back(p.describe());
  for (const auto& cap : d.capabilities)
    if (const auto* s = std::get_if<Sriov>(&cap.body))
      for (const auto& p : s->problems) problems.push_back(p.describe());
  j["problems"] = std::move(problems);
  return j;
}

json size_json(ByteSize s) { return json{{"bytes", s.bytes()}, {"text", s.str()}}; }

json range_json(uint64_t start, uint64_t end) { return json{{"start", start}, {"end", end}}; }

}  // namespace vfiokit::cli

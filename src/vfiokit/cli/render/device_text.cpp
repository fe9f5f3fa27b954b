// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/device_text.hpp"

#include <fmt/format.h>

#include <array>

#include "vfiokit/pci/capability_names.hpp"

namespace vfiokit::cli {
namespace {

using namespace vfiokit::pci;

char flag(bool on) { return on ? '+' : '-'; }

std::string hex_address(uint64_t a) { return fmt::format("{:#x}", a); }

struct BodyText {
  std::string operator()(std::monostate) const { return {}; }
  std::string operator()(const PowerManagement& pm) const {
    const auto& kStates = kPowerStateNames;
    std::string pme;
    for (size_t i = 0; i < kStates.size(); ++i)
      if (pm.pme_support & (1u << i)) pme += (pme.empty() ? "" : ",") + std::string(kStates[i]);
    return fmt::format("v{}: D1{} D2{} PME from [{}]; now {}, No_Soft_Reset{}", pm.version, flag(pm.d1_supported),
                       flag(pm.d2_supported), pme, kStates[pm.current_state], flag(pm.no_soft_reset));
  }
  std::string operator()(const Msi& m) const {
    return fmt::format("enable{} {}/{} vectors, 64-bit{} per-vector-mask{}", flag(m.enabled), m.vectors_enabled,
                       m.vectors_capable, flag(m.address_64bit), flag(m.per_vector_masking));
  }
  std::string operator()(const MsiX& x) const {
    return fmt::format("enable{} {} vectors; table BAR{}+{:#x}, PBA BAR{}+{:#x}", flag(x.enabled), x.table_size,
                       x.table_bar, x.table_offset, x.pba_bar, x.pba_offset);
  }
  std::string operator()(const PciExpress& e) const {
    std::string s = fmt::format("v{} {}: FLR{} MaxPayload {}B", e.version, pcie_type_name(e.type),
                                flag(e.function_level_reset), e.max_payload_supported);
    if (e.has_link)
      s += fmt::format("; link {} x{} capable, {} x{} now{}", link_speed_name(e.link_capable.speed),
                       e.link_capable.width, link_speed_name(e.link_current.speed), e.link_current.width,
                       e.dll_active_reporting ? fmt::format(", DLActive{}", flag(e.dll_link_active)) : "");
    if (e.slot) s += fmt::format("; slot {} hot-plug{}", e.slot->physical_number, flag(e.slot->hot_plug_capable));
    return s;
  }
  std::string operator()(const Acs& a) const {
    std::string cap, ctl, missing;
    for (const auto& [bit, name] : acs::kFlagNames) {
      cap += fmt::format(" {}{}", name, flag(a.capability & bit));
      ctl += fmt::format(" {}{}", name, flag(a.control & bit));
      if (a.missing_required() & bit) missing += fmt::format(" {}", name);
    }
    std::string verdict = a.kernel_required_enabled() ? "isolates (SV|RR|CR|UF as the kernel requires)"
                                                      : fmt::format("does NOT isolate: not enabled:{}", missing);
    return fmt::format("\n        capable:{}\n        enabled:{}\n        {}", cap, ctl, verdict);
  }
  std::string operator()(const ResizableBar& r) const {
    std::string s;
    for (const auto& e : r.entries) {
      std::string sizes;
      for (unsigned enc : e.supported_encodings()) sizes += " " + rebar::size_of(enc).str();
      s += fmt::format("\n        BAR{}: current {}{}; supported{}", e.bar_index, e.current_size().str(),
                       r.for_vfs ? " per VF" : "", sizes.empty() ? " (none)" : sizes);
    }
    return s;
  }
  std::string operator()(const Sriov& s) const {
    std::string out =
        fmt::format("VFs {}/{} (initial {}), VF Enable{} VF MSE{} ARI{}; offset {} stride {} VF device {:04x}",
                    s.num_vfs, s.total_vfs, s.initial_vfs, flag(s.vf_enable()), flag(s.vf_memory_space()),
                    flag(s.ari_hierarchy()), s.vf_offset, s.vf_stride, s.vf_device_id);
    for (const auto& b : s.vf_bars)
      out += fmt::format("\n        VF BAR{}: {}{} at {}", b.index, bar_kind_name(b.kind),
                         b.prefetchable ? " prefetchable" : "", hex_address(b.address));
    return out;
  }
  std::string operator()(const Ari& a) const {
    return fmt::format("next function {}, MFVC{} ACS{}", a.next_function, flag(a.mfvc_function_groups),
                       flag(a.acs_function_groups));
  }
  std::string operator()(const Aer& a) const {
    return fmt::format("UESta {:08x} CESta {:08x} ECRC gen{} check{}{}", a.uncorrectable_status, a.correctable_status,
                       flag(a.ecrc_generation_capable()), flag(a.ecrc_check_capable()),
                       a.root ? ", root error registers" : "");
  }
  std::string operator()(const DeviceSerialNumber& d) const { return d.str(); }
  std::string operator()(const SlotIdentification& s) const {
    return fmt::format("{} slots, First{}, chassis {:02x}", s.expansion_slots, flag(s.first_in_chassis), s.chassis);
  }
};

std::string title_line(const DeviceLabel& label, const Header& h, host::PciNames& names) {
  std::string who = label.bdf ? label.bdf->str() : std::string("(no address)");
  std::string vendor = names.vendor(h.vendor_id);
  std::string device = names.device(h.vendor_id, h.device_id);
  std::string cls = names.device_class(h.class_code);
  if (!vendor.empty()) {
    if (device.empty()) device = fmt::format("Device {:04x}", h.device_id);
    return fmt::format("{} {}: {} {}", who, cls.empty() ? fmt::format("Class {:06x}", h.class_code) : cls, vendor,
                       device);
  }
  if (!label.title.empty()) return fmt::format("{} {}", who, label.title);
  return who;
}

}  // namespace

std::vector<std::string> device_defect_lines(const DecodedDevice& d) {
  std::vector<std::string> out;
  for (const auto& p : d.header.problems) out.push_back(p.describe());
  for (const auto& def : d.chain_defects)
    out.push_back(fmt::format("{} capability chain: {} (at {:#x})",
                              def.space == CapSpace::standard ? "standard" : "extended", def.reason, def.offset));
  for (const auto& cap : d.capabilities) {
    if (cap.error) out.push_back(cap.error->describe());
    if (const auto* s = std::get_if<Sriov>(&cap.body))
      for (const auto& p : s->problems) out.push_back(p.describe());
  }
  return out;
}

std::string device_text(const DeviceLabel& label, const DecodedDevice& d, host::PciNames& names) {
  const Header& h = d.header;
  std::string s = title_line(label, h, names) + "\n";
  s += fmt::format("  ID {:04x}:{:04x}", h.vendor_id, h.device_id);
  if (h.subsystem_vendor_id) s += fmt::format("  subsystem {:04x}:{:04x}", *h.subsystem_vendor_id, *h.subsystem_id);
  s += fmt::format("  class {:06x}  rev {:02x}  header type {}{}\n", h.class_code, h.revision, h.layout,
                   h.multifunction ? " (multifunction)" : "");
  s += fmt::format("  Command: I/O{} Mem{} BusMaster{} INTxDisable{}  Status: CapList{} INTx{}\n",
                   flag(h.command & 0x1), flag(h.command & 0x2), flag(h.command & 0x4), flag(h.command & 0x400),
                   flag(h.status & 0x10), flag(h.status & 0x8));
  if (h.interrupt_pin)
    s += fmt::format("  Interrupt: pin {} line {}\n", static_cast<char>('A' + h.interrupt_pin - 1), h.interrupt_line);
  for (const auto& b : h.bars) {
    const uint64_t size = label.host && b.index < label.host->bar_sizes.size() ? label.host->bar_sizes[b.index] : 0;
    s += fmt::format("  BAR{}: {}{} at {}{}\n", b.index, bar_kind_name(b.kind), b.prefetchable ? " prefetchable" : "",
                     hex_address(b.address), size ? " [size=" + ByteSize(size).str() + "]" : "");
  }
  if (label.host)
    s += fmt::format("  Kernel driver in use: {}\n", label.host->driver.empty() ? "none" : label.host->driver);
  if (h.bridge) {
    const BridgeInfo& b = *h.bridge;
    s += fmt::format("  Bus: primary {:02x} secondary {:02x} subordinate {:02x}\n", b.primary_bus, b.secondary_bus,
                     b.subordinate_bus);
    const auto window = [&](const char* name, const std::optional<Window>& w) {
      if (!w) return;
      s += w->enabled() ? fmt::format("  {} window: {:#x}-{:#x}\n", name, w->base, w->limit)
                        : fmt::format("  {} window: disabled\n", name);
    };
    window("I/O", b.io_window);
    window("Memory", b.memory_window);
    window(b.prefetch_window_64bit ? "Prefetchable 64-bit" : "Prefetchable", b.prefetch_window);
  }
  if (d.header_only()) {
    s += "  Capabilities: not available: only the 64-byte header was read\n";
  } else if (!d.capabilities.empty()) {
    s += "  Capabilities:\n";
    for (const auto& cap : d.capabilities) {
      const std::string where = cap.ref.space == CapSpace::standard
                                    ? fmt::format("[{:02x}]", cap.ref.offset)
                                    : fmt::format("[{:03x} v{}]", cap.ref.offset, cap.ref.version);
      std::string body = std::visit(BodyText{}, cap.body);
      if (cap.error) body = "<" + cap.error->message() + ">";
      const bool block = !body.empty() && body.front() == '\n';
      s += fmt::format("    {} {}{}{}\n", where, capability_name(cap.ref.space, cap.ref.id),
                       body.empty() || block ? "" : ": ", body);
    }
  }
  for (const auto& line : device_defect_lines(d)) s += "  Defect: " + line + "\n";
  return s;
}

}  // namespace vfiokit::cli

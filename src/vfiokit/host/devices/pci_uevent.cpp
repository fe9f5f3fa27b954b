// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_uevent.hpp"

#include <fmt/format.h>

#include <charconv>

namespace vfiokit::host {
namespace {

template <class T>
bool hex(std::string_view s, uint32_t max, T& into) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v > max) return false;
  into = static_cast<T>(v);
  return true;
}

// "8086:10D3"
bool id_pair(std::string_view s, uint16_t& a, uint16_t& b) {
  const auto colon = s.find(':');
  return colon != std::string_view::npos && hex(s.substr(0, colon), 0xffff, a) && hex(s.substr(colon + 1), 0xffff, b);
}

}  // namespace

Result<std::optional<PciUevent>> parse_pci_uevent(std::string_view text, const std::function<std::string()>& subject) {
  PciUevent u;
  bool have_class = false, have_id = false, have_subsys = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    bool ok = true;
    if (key == "PCI_CLASS") ok = have_class = hex(value, 0xffffff, u.class_code);
    else if (key == "PCI_ID") ok = have_id = id_pair(value, u.vendor_id, u.device_id);
    else if (key == "PCI_SUBSYS_ID") ok = have_subsys = id_pair(value, u.subsystem_vendor_id, u.subsystem_id);
    if (!ok) return fail(Errc::malformed, subject(), fmt::format("cannot parse '{}'", line));
  }
  if (!have_class || !have_id || !have_subsys) return std::optional<PciUevent>();
  return std::optional<PciUevent>(u);
}

}  // namespace vfiokit::host

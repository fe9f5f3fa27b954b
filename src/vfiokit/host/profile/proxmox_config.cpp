// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/proxmox_config.hpp"

#include <fmt/format.h>

#include <charconv>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/base/utf8.hpp"

namespace vfiokit::host {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    const size_t next = s.find(sep, at);
    out.push_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

// Exactly `digits` hexadecimal digits (or at least that many, with `or_more`).
std::optional<unsigned> hex_field(std::string_view s, size_t digits, bool or_more = false) {
  if (s.size() < digits || (!or_more && s.size() != digits) || s.size() > 8) return std::nullopt;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// `[domain:]bus:dev[.func]`, as qemu-server's $PCIRE accepts it.
std::optional<ProxmoxHostpci> parse_hostpci_id(std::string_view id) {
  ProxmoxHostpci out;
  auto parts = split(id, ':');
  if (parts.size() == 3) {
    auto domain = hex_field(parts[0], 4, true);
    if (!domain || *domain > 0xffff) return std::nullopt;
    out.domain = uint16_t(*domain);
    parts.erase(parts.begin());
  }
  if (parts.size() != 2) return std::nullopt;
  std::string_view dev = parts[1];
  if (const size_t dot = dev.find('.'); dot != std::string_view::npos) {
    auto function = hex_field(dev.substr(dot + 1), 1);
    if (!function || *function > 7) return std::nullopt;
    out.function = uint8_t(*function);
    dev = dev.substr(0, dot);
  }
  auto bus = hex_field(parts[0], 2);
  auto device = hex_field(dev, 2);
  if (!bus || !device || *device > 0x1f) return std::nullopt;
  out.bus = uint8_t(*bus);
  out.device = uint8_t(*device);
  return out;
}

bool is_hostpci_key(std::string_view key) {
  if (!key.starts_with("hostpci") || key.size() == 7) return false;
  return key.substr(7).find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<void> check_proxmox_vmid(std::string_view vmid) {
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(vmid.data(), vmid.data() + vmid.size(), v);
  if (vmid.empty() || vmid.front() == '0' || ec != std::errc() || end != vmid.data() + vmid.size() || v < 100 ||
      v > 999999999)
    return fail(Errc::invalid_argument, fmt::format("VMID '{}'", printable(vmid)),
                "is not a Proxmox guest ID (a number from 100 to 999999999)");
  return {};
}

Result<std::vector<ProxmoxHostpci>> parse_proxmox_hostpci(std::string_view text, const std::string& source) {
  if (!is_utf8(text)) return fail(Errc::malformed, source, "is not UTF-8 text");
  std::vector<ProxmoxHostpci> out;
  unsigned number = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++number;
    const std::string_view line = trim(raw);
    if (line.starts_with('[')) break;  // a snapshot or the pending changes: not the current configuration
    if (line.empty() || line.starts_with('#')) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key(trim(line.substr(0, colon)));
    if (!is_hostpci_key(key)) continue;
    const auto where = [&](std::string_view what) {
      return Error(Errc::invalid_argument, fmt::format("{}:{}", source, number), fmt::format("{}: {}", key, what));
    };
    const auto properties = split(trim(line.substr(colon + 1)), ',');
    std::optional<std::string_view> host;
    for (size_t i = 0; i < properties.size(); ++i) {
      const std::string_view p = trim(properties[i]);
      const size_t eq = p.find('=');
      const std::string_view name = eq == std::string_view::npos ? std::string_view("host") : p.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? p : p.substr(eq + 1);
      if (eq == std::string_view::npos && i != 0)
        return fail(where(fmt::format("'{}' is not a property (NAME=VALUE)", printable(p))));
      if (name == "host") host = value;
      if (name == "mapping" || name == "mdev")
        return fail(
            where(fmt::format("{}={} is decided by Proxmox when the guest starts; name the host function "
                              "(host=BUS:DEV.FUNC) or write a profile for the guest",
                              name, printable(value))));
    }
    if (!host || host->empty()) return fail(where("names no host function (host=...)"));
    for (std::string_view id : split(*host, ';')) {
      auto parsed = parse_hostpci_id(trim(id));
      if (!parsed)
        return fail(
            where(fmt::format("'{}' is not a HOSTPCIID ([domain:]bus:dev[.func], hexadecimal)", printable(trim(id)))));
      parsed->key = key;
      parsed->line = number;
      out.push_back(*parsed);
    }
  }
  return out;
}

}  // namespace vfiokit::host

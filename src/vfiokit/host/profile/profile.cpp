// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "vfiokit/host/internal/toml_document.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {

namespace {

constexpr size_t kProfileLimit = 1 << 20;
constexpr size_t kMaxDevices = 64;  // a VM's devices; far more than any host can hand out

Error at(const std::string& source, const toml::source_region& where, const std::string& what) {
  return toml_error_at(source, where, what);
}

std::optional<uint16_t> hex16(std::string_view s) {
  uint16_t v = 0;
  if (s.size() != 4) return std::nullopt;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<IdPair> id_pair(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto v = hex16(s.substr(0, colon)), d = hex16(s.substr(colon + 1));
  if (!v || !d) return std::nullopt;
  return IdPair{*v, *d};
}

// "00-11-22-33-44-55-66-77", as lspci prints a Device Serial Number.
std::optional<uint64_t> serial_number(std::string_view s) {
  if (s.size() != 23) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (i && s[i * 3 - 1] != '-') return std::nullopt;
    uint8_t b = 0;
    const auto r = std::from_chars(s.data() + i * 3, s.data() + i * 3 + 2, b, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i * 3 + 2) return std::nullopt;
    v = (v << 8) | b;
  }
  return v;
}

bool printable_name(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

Result<std::string> string_of(const std::string& source, const toml::key& key, const toml::node& v) {
  if (auto s = v.value<std::string>(); s && v.is_string()) return *s;
  return fail(at(source, key.source(), fmt::format("'{}' must be a string", key.str())));
}

Result<bool> bool_of(const std::string& source, const toml::key& key, const toml::node& v) {
  if (v.is_boolean()) return *v.value<bool>();
  return fail(at(source, key.source(), fmt::format("'{}' must be true or false", key.str())));
}

Result<ProfileDevice> parse_device(const std::string& source, const toml::key& name, const toml::node& node) {
  const toml::table* t = node.as_table();
  if (!t) return fail(at(source, name.source(), fmt::format("device '{}' must be a table", name.str())));
  if (!printable_name(name.str(), 64))
    return fail(
        at(source, name.source(), fmt::format("device name '{}': use letters, digits, '-', '_' and '.'", name.str())));
  ProfileDevice d;
  d.name = std::string(name.str());
  d.line = unsigned(name.source().begin.line);
  bool function_given = false;
  for (auto&& [key, v] : *t) {
    const std::string k(key.str());
    const auto bad = [&](const std::string& why) { return fail(at(source, key.source(), why)); };
    if (k == "id" || k == "subsystem") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      auto ids = id_pair(*s);
      if (!ids) return bad(fmt::format("'{}' is \"{}\": write vendor:device in hex, as \"1002:73bf\"", k, *s));
      (k == "id" ? d.identity.id : d.identity.subsystem) = *ids;
    } else if (k == "serial") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      auto n = serial_number(*s);
      if (!n) return bad(fmt::format("'serial' is \"{}\": write it as lspci does, \"00-11-22-33-44-55-66-77\"", *s));
      d.identity.serial = *n;
    } else if (k == "slot") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (!printable_name(*s, 64) || s->front() == '.')
        return bad(fmt::format("'slot' is \"{}\": not a slot name", *s));
      d.identity.slot = *s;
    } else if (k == "function") {
      const auto n = v.value<int64_t>();
      if (!v.is_integer() || !n || *n < 0 || *n > 7) return bad("'function' must be 0 to 7");
      d.identity.function = unsigned(*n);
      function_given = true;
    } else if (k == "bdf") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      auto b = pci::Bdf::parse(*s);
      if (!b) return bad(fmt::format("'bdf' is \"{}\": {}", *s, b.error().message()));
      d.identity.bdf = *b;
    } else if (k == "driver") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (!printable_name(*s, 64)) return bad(fmt::format("'driver' is \"{}\": not a driver name", *s));
      d.driver = *s;
    } else if (k.size() == 4 && k.starts_with("bar") && k[3] >= '0' && k[3] <= '5') {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      BarRequest r{unsigned(k[3] - '0'), std::nullopt};
      std::string lower(*s);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower != "max") {
        auto size = ByteSize::parse(*s);
        if (!size) return bad(fmt::format("'{}' is \"{}\": use a size such as \"256M\" or \"16G\", or \"max\"", k, *s));
        r.size = *size;
      }
      d.bars.push_back(r);
    } else if (k == "d3cold_allowed") {
      auto b = bool_of(source, key, v);
      if (!b) return fail(b.error());
      d.d3cold_allowed = *b;
    } else if (k == "reset_method") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (s->size() > 128 ||
          !std::all_of(s->begin(), s->end(), [](unsigned char c) { return std::islower(c) || c == '_' || c == ' '; }))
        return bad(
            fmt::format("'reset_method' is \"{}\": name methods as the kernel does (\"flr\", \"bus\", ...)", *s));
      d.reset_method = *s;
    } else {
      return bad(
          fmt::format("unknown key '{}' in device '{}' (known: id, serial, subsystem, slot, function, bdf, "
                      "driver, bar0..bar5, d3cold_allowed, reset_method)",
                      k, d.name));
    }
  }
  const auto here = [&](const std::string& why) { return fail(at(source, name.source(), why)); };
  const DeviceIdentity& id = d.identity;
  if ((id.serial || id.subsystem) && !id.id)
    return here(fmt::format("device '{}': serial and subsystem narrow an id; give the id too", d.name));
  if (!id.id && !id.slot && !id.bdf)
    return here(
        fmt::format("device '{}' says nothing to find it by: give id (with serial or subsystem), slot or bdf", d.name));
  if (function_given && !id.slot) return here(fmt::format("device '{}': function goes with slot", d.name));
  if (int(bool(id.id)) + int(bool(id.slot)) + int(bool(id.bdf)) > 1)
    return here(fmt::format("device '{}': give one of id, slot or bdf, not several", d.name));
  return d;
}

}  // namespace

std::string IdPair::str() const { return fmt::format("{:04x}:{:04x}", vendor, device); }

std::string DeviceIdentity::describe() const {
  std::vector<std::string> parts;
  if (id) parts.push_back("id " + id->str());
  if (serial)
    parts.push_back(fmt::format("serial {:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}",
                                (*serial >> 56) & 0xff, (*serial >> 48) & 0xff, (*serial >> 40) & 0xff,
                                (*serial >> 32) & 0xff, (*serial >> 24) & 0xff, (*serial >> 16) & 0xff,
                                (*serial >> 8) & 0xff, *serial & 0xff));
  if (subsystem) parts.push_back("subsystem " + subsystem->str());
  if (slot) parts.push_back(fmt::format("slot {} function {}", *slot, function));
  if (bdf) parts.push_back("bdf " + bdf->str());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

Result<void> check_profile_name(std::string_view name) {
  if (!printable_name(name, 64) || name.front() == '.')
    return fail(Errc::invalid_argument, std::string(name),
                "is not a profile name: use letters, digits, '-', '_' and '.' (at most 64, not starting with '.')");
  return {};
}

Result<Profile> parse_profile(std::string_view text, const std::string& source, const std::string& default_name) {
  auto parsed = parse_toml_document(text, source);
  if (!parsed) return fail(parsed.error());
  const toml::table& top = *parsed;
  Profile p;
  p.name = default_name;
  for (auto&& [key, v] : top) {
    const std::string k(key.str());
    if (k == "name") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (auto ok = check_profile_name(*s); !ok) return fail(at(source, key.source(), ok.error().describe()));
      p.name = *s;
    } else if (k == "force") {
      auto b = bool_of(source, key, v);
      if (!b) return fail(b.error());
      p.force = *b;
    } else if (k == "device") {
      const toml::table* devices = v.as_table();
      if (!devices) return fail(at(source, key.source(), "'device' must hold tables: [device.NAME]"));
      for (auto&& [name, node] : *devices) {
        auto d = parse_device(source, name, node);
        if (!d) return fail(d.error());
        p.devices.push_back(std::move(*d));
      }
    } else {
      return fail(at(source, key.source(), fmt::format("unknown key '{}' (known: name, force, [device.NAME])", k)));
    }
  }
  if (auto ok = check_profile_name(p.name); !ok) return fail(ok.error());
  if (p.devices.empty()) return fail(Errc::invalid_argument, source, "names no device: add a [device.NAME] table");
  if (p.devices.size() > kMaxDevices)
    return fail(Errc::invalid_argument, source, fmt::format("names more than {} devices", kMaxDevices));
  // toml++ keeps a table's keys sorted; the file's order is the lines'.
  std::stable_sort(p.devices.begin(), p.devices.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  for (size_t i = 0; i < p.devices.size(); ++i)
    for (size_t j = i + 1; j < p.devices.size(); ++j) {
      const DeviceIdentity &a = p.devices[i].identity, &b = p.devices[j].identity;
      if (a.id == b.id && a.serial == b.serial && a.subsystem == b.subsystem && a.slot == b.slot &&
          a.function == b.function && a.bdf == b.bdf)
        return fail(Errc::invalid_argument, fmt::format("{}:{}", source, p.devices[j].line),
                    fmt::format("devices '{}' and '{}' are the same device ({})", p.devices[i].name, p.devices[j].name,
                                a.describe()));
    }
  return p;
}

Result<Profile> read_profile(const std::filesystem::path& path) {
  auto text = read_regular_file(path, kProfileLimit, "a profile");
  if (!text) return fail(text.error());
  if (!*text) return fail(Errc::not_found, path.string(), "no such profile file");
  std::string stem = path.stem().string();
  if (!check_profile_name(stem)) stem = "profile";
  return parse_profile(**text, path.string(), stem);
}

std::string profile_to_toml(const Profile& p) {
  std::string out = fmt::format(
      "# A vfiokit passthrough profile (vfiokit-profile(5)): `vfiokit up` prepares these devices,\n"
      "# `vfiokit down` gives them back.\nname = \"{}\"\n",
      p.name);
  if (p.force) out += "force = true\n";
  for (const auto& d : p.devices) {
    out += fmt::format("\n[device.{}]\n", d.name);
    const DeviceIdentity& id = d.identity;
    if (id.id) out += fmt::format("id = \"{}\"\n", id.id->str());
    if (id.serial) out += fmt::format("serial = \"{}\"\n", id.describe().substr(id.describe().find("serial ") + 7, 23));
    if (id.subsystem) out += fmt::format("subsystem = \"{}\"\n", id.subsystem->str());
    if (id.slot) out += fmt::format("slot = \"{}\"\nfunction = {}\n", *id.slot, id.function);
    if (id.bdf) out += fmt::format("bdf = \"{}\"\n", id.bdf->str());
    if (d.driver != "vfio-pci") out += fmt::format("driver = \"{}\"\n", d.driver);
    for (const auto& b : d.bars) out += fmt::format("bar{} = \"{}\"\n", b.bar, b.size ? b.size->str() : "max");
    if (d.d3cold_allowed) out += fmt::format("d3cold_allowed = {}\n", *d.d3cold_allowed);
    if (d.reset_method) out += fmt::format("reset_method = \"{}\"\n", *d.reset_method);
  }
  return out;
}

}  // namespace vfiokit::host

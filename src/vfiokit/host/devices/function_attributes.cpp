// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/function_attributes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <utility>

#include "vfiokit/host/devices/device_config.hpp"
#include "vfiokit/host/devices/pci_uevent.hpp"
#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {
namespace {

using Attr = FunctionAttributes;

// The attributes read, by their file names in sysfs.
constexpr std::array<std::pair<std::string_view, Attr::Name>, Attr::count> kFiles{{
    {"class", Attr::class_code},
    {"config", Attr::config},
    {"d3cold_allowed", Attr::d3cold_allowed},
    {"device", Attr::device},
    {"driver", Attr::driver},
    {"driver_override", Attr::driver_override},
    {"iommu_group", Attr::iommu_group},
    {"numa_node", Attr::numa_node},
    {"physfn", Attr::physfn},
    {"power_state", Attr::power_state},
    {"reset_method", Attr::reset_method},
    {"resource", Attr::resource},
    {"sriov_numvfs", Attr::sriov_numvfs},
    {"sriov_totalvfs", Attr::sriov_totalvfs},
    {"subsystem_device", Attr::subsystem_device},
    {"subsystem_vendor", Attr::subsystem_vendor},
    {"uevent", Attr::uevent},
    {"vendor", Attr::vendor},
    {"vfio-dev", Attr::vfio_dev},
}};

// "resource2_resize" -> 2 (drivers/pci/pci-sysfs.c, one per resizable BAR).
std::optional<unsigned> resize_bar(std::string_view name) {
  constexpr std::string_view head = "resource", tail = "_resize";
  if (name.size() != head.size() + 1 + tail.size() || !name.starts_with(head) || !name.ends_with(tail))
    return std::nullopt;
  const char digit = name[head.size()];
  if (digit < '0' || digit >= static_cast<char>('0' + Attr::kBars)) return std::nullopt;
  return static_cast<unsigned>(digit - '0');
}

// Stores an attribute's value, or records why it could not be read.
template <class T, class U>
void take(Result<std::optional<U>> r, std::optional<T>& into, std::vector<Error>& problems) {
  if (!r) problems.push_back(r.error());
  else if (*r) into = static_cast<T>(**r);
}

// One "0x" and hex digits (at most 64 bits' worth) at the front of `s`,
// which then loses them; false when it does not start so.
bool take_hex(std::string_view& s, uint64_t& value) {
  if (!s.starts_with("0x")) return false;
  const auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), value, 16);
  if (ec != std::errc() || end == s.data() + 2) return false;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return true;
}

bool resource_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// A line of `resource` as the kernel's resource_show writes it,
// "0x%016llx 0x%016llx 0x%016llx": three hex fields with their "0x",
// blanks between them, nothing but blanks after. (Parsed by hand: sscanf
// was a sixth of `list`'s instructions on a small host, 13 lines a
// function.)
bool parse_resource_line(std::string_view line, Resource& r) {
  uint64_t* fields[] = {&r.start, &r.end, &r.flags};
  for (size_t i = 0; i < 3; ++i) {
    if (i != 0) {
      if (line.empty() || !resource_blank(line.front())) return false;
      while (!line.empty() && resource_blank(line.front())) line.remove_prefix(1);
    }
    if (!take_hex(line, *fields[i])) return false;
  }
  return std::all_of(line.begin(), line.end(), resource_blank);
}

std::vector<Resource> parse_resources(const std::string& text, const std::string& file, std::vector<Error>& problems) {
  std::vector<Resource> out;
  std::string_view rest = text;
  unsigned n = 0;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++n;
    Resource r;
    if (!parse_resource_line(line, r)) {
      problems.push_back(
          Error(Errc::malformed, file, fmt::format("line {} is not 'START END FLAGS' in hex: '{}'", n, line)));
      continue;
    }
    out.push_back(r);
  }
  return out;
}

// The IDs and class from `uevent` (host/pci_uevent.hpp). The DRIVER= line
// is not used: the `driver` link is what binding changes, and the listing
// already says whether there is one. False when the file does not say them
// all; a malformed value is also a problem of the function.
bool take_uevent(const SysfsDir& dir, PciFunction& f) {
  auto text = read_attr(dir, "uevent");
  if (!text || !*text) {
    if (!text) f.problems.push_back(text.error());
    return false;
  }
  auto u = parse_pci_uevent(**text, [&] { return dir / "uevent"; });
  if (!u) f.problems.push_back(u.error());
  if (!u || !*u) return false;
  f.class_code = (*u)->class_code;
  f.vendor_id = (*u)->vendor_id;
  f.device_id = (*u)->device_id;
  f.subsystem_vendor_id = (*u)->subsystem_vendor_id;
  f.subsystem_id = (*u)->subsystem_id;
  return true;
}

}  // namespace

FunctionAttributes FunctionAttributes::of(const std::vector<DirEntry>& entries) {
  FunctionAttributes out;
  for (const auto& e : entries) out.add(e.name);
  return out;
}

void FunctionAttributes::add(std::string_view name) {
  // By length first: a function's directory lists some 40 names, and a
  // binary search compared each with five of kFiles' strings (a quarter of
  // the walk's own instructions on a host of thousands of VFs).
  for (const auto& [file, attr] : kFiles)
    if (file.size() == name.size() && file == name) {
      present_.set(attr);
      return;
    }
  if (auto bar = resize_bar(name)) resize_.set(*bar);
}

std::string_view FunctionAttributes::file(Name n) {
  for (const auto& [name, attr] : kFiles)
    if (attr == n) return name;
  return {};
}

void read_function_attributes(const SysfsDir& dir, const FunctionAttributes& present, Detail detail, PciFunction& f) {
  auto& p = f.problems;
  const auto hex = [&](Attr::Name n, uint64_t max, auto& into) {
    if (present.has(n)) take(read_hex_attr(dir, Attr::file(n), max), into, p);
  };
  const auto dec = [&](Attr::Name n, auto& into) {
    if (present.has(n)) take(read_int_attr(dir, Attr::file(n)), into, p);
  };
  const auto text = [&](Attr::Name n) -> std::optional<std::string> {
    if (!present.has(n)) return std::nullopt;
    auto r = read_attr(dir, Attr::file(n));
    if (!r) p.push_back(r.error());
    return r ? *r : std::nullopt;
  };

  // uevent holds in one file what five attributes say apart; an older
  // snapshot without it is read file by file.
  const bool from_uevent = present.has(Attr::uevent) && take_uevent(dir, f);
  if (!from_uevent) {
    hex(Attr::vendor, 0xffff, f.vendor_id);
    hex(Attr::device, 0xffff, f.device_id);
    hex(Attr::subsystem_vendor, 0xffff, f.subsystem_vendor_id);
    hex(Attr::subsystem_device, 0xffff, f.subsystem_id);
    hex(Attr::class_code, 0xffffff, f.class_code);
  }
  dec(Attr::numa_node, f.numa_node);
  dec(Attr::sriov_totalvfs, f.sriov_totalvfs);
  dec(Attr::sriov_numvfs, f.sriov_numvfs);
  std::optional<int64_t> d3cold;
  dec(Attr::d3cold_allowed, d3cold);
  if (d3cold) f.d3cold_allowed = *d3cold != 0;
  f.power_state = text(Attr::power_state);

  if (present.has(Attr::driver)) f.driver = read_link_name(dir, "driver").value_or("");
  if (auto override = text(Attr::driver_override); override && *override != "(null)") f.driver_override = *override;
  if (present.has(Attr::iommu_group)) {
    const auto name = read_link_name(dir, "iommu_group").value_or("");
    unsigned group = 0;
    if (std::sscanf(name.c_str(), "%u", &group) == 1) f.iommu_group = group;
    else p.push_back(Error(Errc::malformed, dir / "iommu_group", "does not point to a group number"));
  }
  f.virtual_function = present.has(Attr::physfn);
  // Detail::summary finds the PF from the PFs' capabilities, after the read.
  if (f.virtual_function && detail == Detail::full)
    if (auto phys = read_link_name(dir, "physfn"))
      if (auto b = pci::Bdf::parse(*phys)) f.physfn = *b;
  if (present.has(Attr::vfio_dev))
    if (auto vfio = dir.open_child("vfio-dev"))
      if (auto nodes = vfio->list(); nodes && !nodes->empty()) f.vfio_dev = nodes->back().name;

  if (auto methods = text(Attr::reset_method)) {
    // Words as operator>> splits them: "flr bus" (pci-sysfs.c joins them with spaces).
    constexpr std::string_view kSpace = " \t\n\v\f\r";
    std::string_view rest = *methods;
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(kSpace);
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const auto end = std::min(rest.find_first_of(kSpace), rest.size());
      f.reset_methods.emplace_back(rest.substr(0, end));
      rest.remove_prefix(end);
    }
  }
  if (auto res = text(Attr::resource)) f.resources = parse_resources(*res, dir / "resource", p);
  for (unsigned n = 0; n < Attr::kBars; ++n)
    if (present.has_resize(n)) f.resizable_bars.push_back(n);

  // Detail::summary leaves out a VF's config space (host/pci_function.hpp).
  if (detail == Detail::summary && f.virtual_function && !present.has_any_resize()) return;
  if (!present.has(Attr::config)) {
    p.push_back(Error(Errc::not_found, dir / "config", "missing"));
  } else if (auto config = read_device_config(dir); !config) {
    p.push_back(config.error());
  } else {
    f.config = pci::decode_device(config->config);
    f.config_limited = config->limited_by_privilege;
  }
}

}  // namespace vfiokit::host

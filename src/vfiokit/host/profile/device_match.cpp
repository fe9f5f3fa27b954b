// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/device_match.hpp"

#include <fmt/format.h>

#include "vfiokit/host/devices/device_config.hpp"
#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::host {

std::optional<uint64_t> device_serial(const SysfsRoot& root, const pci::Bdf& bdf) {
  auto config = read_device_config(root, bdf);
  if (!config) return std::nullopt;
  const pci::DecodedDevice decoded = pci::decode_device(config->config);
  if (const auto* dsn = decoded.find<pci::DeviceSerialNumber>()) return dsn->serial;
  return std::nullopt;
}

Result<pci::Bdf> slot_function(const SysfsRoot& root, const std::string& slot, unsigned function) {
  const auto file = root.path() / "bus/pci/slots" / slot / "address";
  auto read = read_attr(file);
  if (!read) return fail(read.error());
  if (!*read) return fail(Errc::not_found, fmt::format("slot {}", slot), "no such physical slot on this host");
  const std::string& address = **read;
  // "DDDD:BB:DD" (a slot holds a device; its functions are .0 to .7)
  auto bdf = pci::Bdf::parse(fmt::format("{}.{}", address, function));
  if (!bdf) return fail(Errc::malformed, file.string(), fmt::format("is not a slot address: {}", address));
  return *bdf;
}

namespace {

bool matches(const SysfsRoot& root, const PciFunction& f, const DeviceIdentity& id) {
  if (id.bdf) return f.bdf == *id.bdf;
  if (!id.id || f.vendor_id != id.id->vendor || f.device_id != id.id->device) return false;
  if (id.subsystem && (f.subsystem_vendor_id != id.subsystem->vendor || f.subsystem_id != id.subsystem->device))
    return false;
  if (id.serial && device_serial(root, f.bdf) != id.serial) return false;
  return true;
}

}  // namespace

Result<std::vector<MatchedDevice>> match_profile(const SysfsRoot& root, const HostView& host, const Profile& profile) {
  std::vector<MatchedDevice> out;
  for (const auto& d : profile.devices) {
    const std::string subject = fmt::format("device '{}' ({})", d.name, d.identity.describe());
    std::vector<pci::Bdf> found;
    if (d.identity.slot) {
      auto bdf = slot_function(root, *d.identity.slot, d.identity.function);
      if (!bdf) return fail(Errc::not_found, subject, bdf.error().describe());
      if (host.function(*bdf)) found.push_back(*bdf);
    } else {
      for (const auto& f : host.functions)
        if (matches(root, f, d.identity)) found.push_back(f.bdf);
    }
    if (found.empty()) return fail(Errc::not_found, subject, "matches no function on this host");
    if (found.size() > 1) {
      std::string names;
      for (const auto& b : found) names += (names.empty() ? "" : ", ") + b.str();
      return fail(Errc::invalid_argument, subject,
                  fmt::format("matches {} functions ({}): add serial, subsystem, slot or bdf to tell them apart",
                              found.size(), names));
    }
    for (const auto& m : out)
      if (m.bdf == found.front())
        return fail(Errc::invalid_argument, subject,
                    fmt::format("matches {}, which device '{}' matches too", found.front().str(), m.device->name));
    out.push_back({&d, found.front()});
  }
  return out;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_names.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "vfiokit/host/devices/pci_ids.hpp"

namespace vfiokit::host {

struct PciNames::Impl {
  bool loaded = false;
  PciIds ids;
  // A host of thousands of virtual functions has a handful of distinct
  // devices; each is looked up in pci.ids once.
  std::unordered_map<uint32_t, std::string> devices;

  const PciIds& db() {
    if (!loaded) {
      ids = PciIds::load(database_path());
      loaded = true;
    }
    return ids;
  }
};

std::string PciNames::database_path() {
  // Where this system's libpci looks, asked of libpci when vfiokit was
  // configured (CMakeLists.txt), so vfiokit and lspci read the same file.
  return VFIOKIT_PCI_IDS_PATH;
}

PciNames::PciNames() : impl_(std::make_unique<Impl>()) {}
PciNames::~PciNames() = default;

void PciNames::preload() { impl_->db(); }

// Each lookup answers as libpci's pci_lookup_name() with
// PCI_LOOKUP_NO_NUMBERS and PCI_LOOKUP_NO_HWDB does (pciutils lib/names.c):
// names from pci.ids alone, since the udev hwdb differs between machines.
std::string PciNames::vendor(uint16_t vendor_id) { return std::string(impl_->db().vendor(vendor_id).value_or("")); }

std::string PciNames::device(uint16_t vendor_id, uint16_t device_id) {
  const uint32_t key = uint32_t{vendor_id} << 16 | device_id;
  if (auto it = impl_->devices.find(key); it != impl_->devices.end()) return it->second;
  std::string name(impl_->db().device(vendor_id, device_id).value_or(""));
  impl_->devices.emplace(key, name);
  return name;
}

std::string PciNames::subsystem(uint16_t vendor_id, uint16_t device_id, uint16_t subvendor, uint16_t subdevice) {
  // id_lookup_subsys(): the device's own entry, then a generic one, then the
  // device's name when the subsystem IDs repeat the device's.
  const PciIds& db = impl_->db();
  std::optional<std::string_view> name;
  if (vendor_id > 0 && device_id > 0) name = db.subsystem(vendor_id, device_id, subvendor, subdevice);
  if (!name) name = db.generic_subsystem(subvendor, subdevice);
  if (!name && vendor_id == subvendor && device_id == subdevice) name = db.device(vendor_id, device_id);
  return std::string(name.value_or(""));
}

std::string PciNames::device_class(uint32_t class_code) {
  // The subclass's name; failing that the base class's, with the number
  // beside it as libpci then prints it ("Network controller [0285]").
  const PciIds& db = impl_->db();
  const auto base = static_cast<uint8_t>(class_code >> 16), sub = static_cast<uint8_t>(class_code >> 8);
  if (auto name = db.subclass(base, sub)) return std::string(*name);
  if (auto name = db.device_class(base)) return fmt::format("{} [{:02x}{:02x}]", *name, base, sub);
  return {};
}

}  // namespace vfiokit::host

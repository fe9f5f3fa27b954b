#include "host/pci_names.hpp"

extern "C" {
#include <pci/pci.h>
}

#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

namespace vfiokit::host {
namespace {

// libpci reports a missing pci.ids through warning(); a lookup that finds
// nothing then returns NULL and we show numbers only.
void quiet_warning(char*, ...) {}
void quiet_debug(char*, ...) {}
// libpci calls error() only when it cannot allocate memory, and requires that
// it does not return.
__attribute__((noreturn)) void fatal_error(char* msg, ...) {
  std::fprintf(stderr, "vfiokit: libpci: %s\n", msg);
  std::abort();
}

}  // namespace

struct PciNames::Impl {
  pci_access* access = nullptr;
  std::array<char, 512> buffer{};
  // A host of thousands of virtual functions has a handful of distinct
  // devices; each is looked up in libpci's hash once.
  std::unordered_map<uint32_t, std::string> devices;
};

PciNames::PciNames() : impl_(std::make_unique<Impl>()) {
  impl_->access = pci_alloc();
  // pci_init() is not called (no device access is wanted), so the callbacks
  // it would install must be set here: libpci calls them during lookups.
  if (impl_->access) {
    impl_->access->warning = quiet_warning;
    impl_->access->debug = quiet_debug;
    impl_->access->error = fatal_error;
  }
}

PciNames::~PciNames() {
  if (impl_->access) pci_cleanup(impl_->access);
}

namespace {
std::string lookup(pci_access* a, char* buf, size_t size, int flags, int arg1, int arg2 = 0, int arg3 = 0,
                   int arg4 = 0) {
  if (!a) return {};
  // Names come from pci.ids alone: the udev hwdb that libpci may also ask
  // differs between machines (and leaks in libudev's lookup path).
  const char* name = pci_lookup_name(a, buf, static_cast<int>(size),
                                     flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, arg1, arg2, arg3, arg4);
  return name ? std::string(name) : std::string();
}
}  // namespace

void PciNames::preload() {
  // The first lookup loads the whole list (pci_load_name_list); what it
  // finds for vendor 0 does not matter.
  vendor(0);
}

std::string PciNames::vendor(uint16_t vendor_id) {
  return lookup(impl_->access, impl_->buffer.data(), impl_->buffer.size(), PCI_LOOKUP_VENDOR, vendor_id);
}

std::string PciNames::device(uint16_t vendor_id, uint16_t device_id) {
  const uint32_t key = uint32_t{vendor_id} << 16 | device_id;
  if (auto it = impl_->devices.find(key); it != impl_->devices.end()) return it->second;
  std::string name =
      lookup(impl_->access, impl_->buffer.data(), impl_->buffer.size(), PCI_LOOKUP_DEVICE, vendor_id, device_id);
  impl_->devices.emplace(key, name);
  return name;
}

std::string PciNames::subsystem(uint16_t vendor_id, uint16_t device_id, uint16_t subvendor, uint16_t subdevice) {
  return lookup(impl_->access, impl_->buffer.data(), impl_->buffer.size(), PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE,
                vendor_id, device_id, subvendor, subdevice);
}

std::string PciNames::device_class(uint32_t class_code) {
  // Prefer the programming-interface name, then the subclass.
  std::string name = lookup(impl_->access, impl_->buffer.data(), impl_->buffer.size(), PCI_LOOKUP_CLASS,
                            static_cast<int>(class_code >> 8));
  return name;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Human names of vendors, devices and classes from the pci.ids database
// that libpci and lspci use, with libpci's answers (host/pci_ids.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace vfiokit::host {

class PciNames {
 public:
  PciNames();
  ~PciNames();
  PciNames(const PciNames&) = delete;
  PciNames& operator=(const PciNames&) = delete;

  // Loads pci.ids now rather than at the first lookup (a few milliseconds,
  // which a caller can spend while it reads the host).
  void preload();

  // Empty strings when the database has no entry (or is not installed).
  std::string vendor(uint16_t vendor_id);
  std::string device(uint16_t vendor_id, uint16_t device_id);
  std::string subsystem(uint16_t vendor_id, uint16_t device_id, uint16_t subvendor, uint16_t subdevice);
  std::string device_class(uint32_t class_code);  // 24-bit class code

  // The file libpci reads names from on this system ("" without libpci's
  // access structure).
  static std::string database_path();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfiokit::host

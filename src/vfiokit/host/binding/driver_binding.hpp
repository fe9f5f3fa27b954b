// SPDX-License-Identifier: Apache-2.0
// The kernel's driver binding, through sysfs: which driver a function has,
// its driver_override, and the writes that change them
// (Documentation/ABI/testing/sysfs-bus-pci). Every change vfiokit makes to a
// binding goes through here.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

// A function's binding: its driver ("" = none) and driver_override (nullopt
// when the kernel prints "(null)").
struct Binding {
  std::string driver;
  std::optional<std::string> driver_override;
  bool operator==(const Binding&) const = default;
  std::string describe() const;  // "e1000e", "no driver, override vfio-pci"
};

Result<Binding> read_binding(const SysfsRoot& root, const pci::Bdf& bdf);

// A driver's name is a directory under bus/pci/drivers, an argument of
// modprobe and a word of the journal: letters, digits, '-', '_' and '.',
// not starting with '.', so that it can never climb out of that directory.
Result<void> check_driver_name(const std::string& driver);

// Whether a journal (JSON, text only) can record this binding so that it
// can be restored: driver_override holds whatever bytes were written to
// it, and one that is not UTF-8 is refused before any change, naming the
// way to clear it.
Result<void> check_journalable(const Binding& binding, const pci::Bdf& bdf);

// Only a driver with this name may bind; nullopt clears the override. Does
// not unbind the current driver.
Result<void> set_driver_override(const SysfsRoot& root, const pci::Bdf& bdf, const std::optional<std::string>& name);
// Detaches the current driver, if any.
Result<void> unbind_driver(const SysfsRoot& root, const pci::Bdf& bdf);
// Asks the kernel to find a driver (drivers_probe), honouring the override.
Result<void> probe_driver(const SysfsRoot& root, const pci::Bdf& bdf);
// Binds to exactly this driver (drivers/NAME/bind).
Result<void> bind_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver);

// Whether the driver is registered with the PCI bus (its module is loaded
// or built in).
bool driver_registered(const SysfsRoot& root, const std::string& driver);
// modprobe NAME (vfio-pci's module is vfio_pci: modprobe accepts both), or
// the simulated kernel's equivalent.
Result<void> load_driver_module(const SysfsRoot& root, const std::string& driver);

// Waits up to `timeout_ms` for the function's driver to become `driver`
// (some drivers probe asynchronously); returns the binding found last.
Result<Binding> wait_for_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver, int timeout_ms);

// Puts a function back to `original` (driver and driver_override), changing
// only what differs; `after_change` runs after each write. Fails when the
// function ends up otherwise, saying what it is instead.
Result<void> restore_binding(const SysfsRoot& root, const pci::Bdf& bdf, const Binding& original, int timeout_ms,
                             const std::function<void()>& after_change);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "lab/support/guest_binding.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include "vfiokit/host/binding/driver_binding.hpp"

namespace vfiokit::lab {

namespace {
const host::SysfsRoot kSys("/sys");
}

std::string driver_of(const pci::Bdf& bdf) {
  auto b = host::read_binding(kSys, bdf);
  return b ? b->driver : "";
}

// Test setup through the same sysfs writes `vfiokit bind` uses.
bool rebind(const pci::Bdf& bdf, const std::string& driver) {
  if (!driver.empty() && driver_of(bdf) == driver) return true;
  if (!host::unbind_driver(kSys, bdf)) return false;
  if (!host::set_driver_override(kSys, bdf, driver.empty() ? std::nullopt : std::optional<std::string>(driver)))
    return false;
  (void)host::probe_driver(kSys, bdf);  // fails with no matching driver: the wait below tells
  if (!driver.empty()) {
    auto b = host::wait_for_driver(kSys, bdf, driver, 10000);
    return b && b->driver == driver;
  }
  // nvme and others probe asynchronously: wait for any driver.
  for (int i = 0; i < 500 && driver_of(bdf).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return !driver_of(bdf).empty();
}

int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace vfiokit::lab

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/binding/driver_binding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "vfiokit/base/utf8.hpp"
#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

std::string Binding::describe() const {
  std::string out = driver.empty() ? "no driver" : driver;
  if (driver_override) out += fmt::format(" (driver_override {})", *driver_override);
  return out;
}

Result<void> check_driver_name(const std::string& driver) {
  const bool plain = !driver.empty() && driver.size() <= 64 && driver[0] != '.' &&
                     std::all_of(driver.begin(), driver.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                     });
  if (plain) return {};
  return fail(Errc::invalid_argument, driver,
              "is not a driver name (letters, digits, '-', '_' and '.', as in vfio-pci or snd_hda_intel)");
}

Result<void> check_journalable(const Binding& binding, const pci::Bdf& bdf) {
  if (!is_utf8(binding.driver))  // the kernel names drivers in ASCII: a damaged tree
    return fail(Errc::malformed, bdf.str(), "its driver's name is not UTF-8 text, so the journal cannot record it");
  if (!binding.driver_override || is_utf8(*binding.driver_override)) return {};
  return fail(Errc::unsupported, bdf.str(),
              fmt::format("its driver_override is not UTF-8 text, so the journal cannot record it to restore it; "
                          "clear it first (echo > /sys/bus/pci/devices/{}/driver_override)",
                          bdf.str()));
}

Result<Binding> read_binding(const SysfsRoot& root, const pci::Bdf& bdf) {
  const auto dir = root.device_dir(bdf);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return fail(Errc::not_found, bdf.str(), "no such PCI function");
  Binding b;
  b.driver = read_link_name(dir / "driver").value_or("");
  auto override = read_attr(dir / "driver_override");
  if (!override) return fail(override.error());
  if (*override && **override != "(null)" && !(*override)->empty()) b.driver_override = **override;
  return b;
}

Result<void> set_driver_override(const SysfsRoot& root, const pci::Bdf& bdf, const std::optional<std::string>& name) {
  // A lone newline clears the override (the kernel strips one trailing \n).
  return root.write(root.device_dir(bdf) / "driver_override", name ? *name : "\n");
}

Result<void> unbind_driver(const SysfsRoot& root, const pci::Bdf& bdf) {
  const auto link = root.device_dir(bdf) / "driver";
  std::error_code ec;
  if (!std::filesystem::exists(link, ec)) return {};
  return root.write(link / "unbind", bdf.str());
}

Result<void> probe_driver(const SysfsRoot& root, const pci::Bdf& bdf) {
  return root.write(root.path() / "bus/pci/drivers_probe", bdf.str());
}

Result<void> bind_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver) {
  return root.write(root.path() / "bus/pci/drivers" / driver / "bind", bdf.str());
}

bool driver_registered(const SysfsRoot& root, const std::string& driver) {
  std::error_code ec;
  return std::filesystem::is_directory(root.path() / "bus/pci/drivers" / driver, ec);
}

Result<void> load_driver_module(const SysfsRoot& root, const std::string& driver) { return root.load_module(driver); }

Result<Binding> wait_for_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto b = read_binding(root, bdf);
    if (!b || b->driver == driver || std::chrono::steady_clock::now() >= deadline) return b;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<void> restore_binding(const SysfsRoot& root, const pci::Bdf& bdf, const Binding& original, int timeout_ms,
                             const std::function<void()>& after_change) {
  auto now = read_binding(root, bdf);
  if (!now) return fail(now.error());
  if (*now == original) return {};
  if (!now->driver.empty() && now->driver != original.driver) {
    if (auto ok = unbind_driver(root, bdf); !ok) return ok;
    after_change();
  }
  if (now->driver_override != original.driver_override) {
    if (auto ok = set_driver_override(root, bdf, original.driver_override); !ok) return ok;
    after_change();
  }
  auto after = read_binding(root, bdf);
  if (!after) return fail(after.error());
  if (!original.driver.empty() && after->driver != original.driver) {
    if (!driver_registered(root, original.driver))
      if (auto ok = load_driver_module(root, original.driver); !ok) return ok;
    if (auto ok = bind_driver(root, bdf, original.driver); !ok) return ok;
    after_change();
  }
  auto final_state = wait_for_driver(root, bdf, original.driver, timeout_ms);
  if (!final_state) return fail(final_state.error());
  if (*final_state != original)
    return fail(Errc::io, bdf.str(),
                fmt::format("is {} after restoring, not {}", final_state->describe(), original.describe()));
  return {};
}

}  // namespace vfiokit::host

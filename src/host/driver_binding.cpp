#include "host/driver_binding.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "host/run_tool.hpp"
#include "host/sysfs_attr.hpp"
#include "host/sysfs_write.hpp"

namespace vfiokit::host {

std::string Binding::describe() const {
  std::string out = driver.empty() ? "no driver" : driver;
  if (driver_override) out += fmt::format(" (driver_override {})", *driver_override);
  return out;
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
  return write_attr(root.device_dir(bdf) / "driver_override", name ? *name : "\n");
}

Result<void> unbind_driver(const SysfsRoot& root, const pci::Bdf& bdf) {
  const auto link = root.device_dir(bdf) / "driver";
  std::error_code ec;
  if (!std::filesystem::exists(link, ec)) return {};
  return write_attr(link / "unbind", bdf.str());
}

Result<void> probe_driver(const SysfsRoot& root, const pci::Bdf& bdf) {
  return write_attr(root.path() / "bus/pci/drivers_probe", bdf.str());
}

Result<void> bind_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver) {
  return write_attr(root.path() / "bus/pci/drivers" / driver / "bind", bdf.str());
}

bool driver_registered(const SysfsRoot& root, const std::string& driver) {
  std::error_code ec;
  return std::filesystem::is_directory(root.path() / "bus/pci/drivers" / driver, ec);
}

Result<void> load_driver_module(const std::string& driver) {
  return run_tool({"modprobe", driver}, fmt::format("driver {}", driver));
}

Result<Binding> wait_for_driver(const SysfsRoot& root, const pci::Bdf& bdf, const std::string& driver, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto b = read_binding(root, bdf);
    if (!b || b->driver == driver || std::chrono::steady_clock::now() >= deadline) return b;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace vfiokit::host

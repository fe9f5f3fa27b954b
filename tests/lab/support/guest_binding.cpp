#include "lab/support/guest_binding.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "host/sysfs_attr.hpp"

namespace vfiokit::lab {

namespace {
const std::filesystem::path kDevices = "/sys/bus/pci/devices";

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
}
}  // namespace

std::string driver_of(const pci::Bdf& bdf) {
  return host::read_link_name(kDevices / bdf.str() / "driver").value_or("");
}

bool rebind(const pci::Bdf& bdf, const std::string& driver) {
  const auto dir = kDevices / bdf.str();
  if (!driver.empty() && driver_of(bdf) == driver) return true;
  if (!driver_of(bdf).empty()) write_file(dir / "driver/unbind", bdf.str());
  write_file(dir / "driver_override", driver.empty() ? "\n" : driver);
  write_file("/sys/bus/pci/drivers_probe", bdf.str());
  // nvme and others probe asynchronously.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto now = driver_of(bdf);
    if (driver.empty() ? !now.empty() : now == driver) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace vfiokit::lab

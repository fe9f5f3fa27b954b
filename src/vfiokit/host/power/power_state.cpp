// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/power/power_state.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {
Result<std::string> optional_attr(const std::filesystem::path& file) {
  auto v = read_attr(file);
  if (!v) return fail(v.error());
  return v->value_or("");
}
}  // namespace

Result<PowerView> read_power(const SysfsRoot& root, const pci::Bdf& bdf) {
  const auto dir = root.device_dir(bdf);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return fail(Errc::not_found, bdf.str(), "no such PCI function");
  PowerView v;
  auto state = optional_attr(dir / "power_state");
  if (!state) return fail(state.error());
  v.power_state = *state;
  auto d3cold = read_int_attr(dir / "d3cold_allowed");
  if (!d3cold) return fail(d3cold.error());
  if (*d3cold) v.d3cold_allowed = **d3cold != 0;
  auto status = optional_attr(dir / "power/runtime_status");
  if (!status) return fail(status.error());
  v.runtime_status = *status;
  auto control = optional_attr(dir / "power/control");
  if (!control) return fail(control.error());
  v.runtime_control = *control;
  return v;
}

Result<std::string> wait_for_power_state(const SysfsRoot& root, const pci::Bdf& bdf,
                                         const std::vector<std::string>& states, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto v = read_power(root, bdf);
    if (!v) return fail(v.error());
    if (std::find(states.begin(), states.end(), v->power_state) != states.end() ||
        std::chrono::steady_clock::now() >= deadline)
      return v->power_state;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace vfiokit::host

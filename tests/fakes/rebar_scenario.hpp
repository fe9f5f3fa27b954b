// SPDX-License-Identifier: Apache-2.0
// A host with a resizable GPU for the resize tests, laid out as the kernel
// shows it: root port 00:01.0 whose prefetchable window (1 GiB at
// 0x80000000) holds the GPU's 256 MiB BAR 0 (256 MiB..16 GiB supported) and,
// with siblings, an audio function's 16 MiB and an accelerator's 32 MiB BAR
// (the accelerator on vfio-pci by driver_override); root port 00:02.0 with a
// NIC whose window sits at 0xc0000000, and a host aperture of
// 0x80000000-0xffffffff. A simulated kernel carries out its writes.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "fakes/fake_sysfs.hpp"
#include "vfiokit/simulator/kernel.hpp"

namespace vfiokit::testing {

class RebarScenario {
 public:
  explicit RebarScenario(bool siblings, host::SimulatedHostSetup setup = {});
  // The GPU behind a switch instead (as lab/topologies/rebar-device.topo):
  // root port 00:01.0, upstream port 01:00.0, downstream ports 02:00.0 (the
  // GPU at 03:00.0, BAR 0 16 MiB of 8 MiB..16 GiB) and 02:01.0 (a sibling
  // at 04:00.0 with a 16 MiB BAR 0, on vfio-pci by driver_override), every
  // window exactly as large as what is below it.
  struct BehindSwitch {};
  explicit RebarScenario(BehindSwitch);
  static constexpr pci::Bdf switch_up{0, 1, 0, 0}, switch_down{0, 2, 0, 0}, switch_down_sibling{0, 2, 1, 0},
      switch_gpu{0, 3, 0, 0}, switch_sibling{0, 4, 0, 0};

  static constexpr pci::Bdf port{0, 0, 1, 0}, gpu{0, 1, 0, 0}, audio{0, 1, 0, 1}, accel{0, 1, 0, 2},
      nic_port{0, 0, 2, 0}, nic{0, 2, 0, 0};

  std::filesystem::path dir() const { return sysfs_.root(); }
  host::SysfsRoot root() const;  // with the simulated kernel
  // Every function's `resource`, driver and driver_override, one line each:
  // equal before and after means the host is exactly as it was.
  std::string state() const;
  // The same without addresses (each BAR's size and flags) and without
  // bridge windows: after a resize is undone, the kernel may give removed
  // functions new addresses, and a bridge found again gets windows sized
  // for what is below it, not the firmware's.
  std::string sizes_and_bindings() const;
  std::vector<std::string> kernel_log() const;

 private:
  void resources(const pci::Bdf& bdf, std::vector<std::array<uint64_t, 3>> lines, size_t total);
  FakeSysfs sysfs_;
};

}  // namespace vfiokit::testing

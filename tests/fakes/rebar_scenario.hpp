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

  static constexpr pci::Bdf port{0, 0, 1, 0}, gpu{0, 1, 0, 0}, audio{0, 1, 0, 1}, accel{0, 1, 0, 2},
      nic_port{0, 0, 2, 0}, nic{0, 2, 0, 0};

  std::filesystem::path dir() const { return sysfs_.root(); }
  host::SysfsRoot root() const;  // with the simulated kernel
  // Every function's `resource`, driver and driver_override, one line each:
  // equal before and after means the host is exactly as it was.
  std::string state() const;
  // The same without addresses (each resource's size and flags): after a
  // resize is undone, the kernel may give removed functions new addresses.
  std::string sizes_and_bindings() const;
  std::vector<std::string> kernel_log() const;

 private:
  void resources(const pci::Bdf& bdf, std::vector<std::array<uint64_t, 3>> lines, size_t total);
  FakeSysfs sysfs_;
};

}  // namespace vfiokit::testing

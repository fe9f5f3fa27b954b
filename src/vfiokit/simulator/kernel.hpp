// SPDX-License-Identifier: Apache-2.0
// A simulated kernel behind a sysfs tree on disk: reads are the tree's
// files, as on a real host; writes (through SysfsRoot::write) are carried out
// here with the semantics Documentation/ABI/testing/sysfs-bus-pci and the
// PCI core give them, and the tree is updated to what the kernel would show:
//
//   driver_override   one trailing newline stripped; empty clears it
//   driver/unbind     the driver is detached
//   drivers/X/bind    X binds if it matches (override == X, or X is the
//                     driver that claims the device by ID); else ENODEV;
//                     EBUSY when a driver is already bound; vfio-pci
//                     makes the device's cdev directory vfio-dev/vfioN
//   drivers_probe     binds the override's driver, or the claiming driver
//   remove            the function and everything below it leave the tree
//                     (drivers unbound)
//   rescan            removed functions return as new devices: driver_override
//                     cleared, BARs kept where they were if that space is
//                     still free in the parent's window, else placed in a free
//                     gap, else left unassigned (and then no driver can bind)
//   d3cold_allowed    a number; shows 0 or 1
//   reset_method      space-separated method names the kernel knows (else
//                     EINVAL); empty disables resets
//   resourceN_resize  EBUSY with a driver bound or VFs enabled; EINVAL for a
//                     size not in the bitmap; 524 (ENOTSUPP) when the host
//                     bridge preserves the firmware's configuration; the
//                     function's BARs in the same window are released and the
//                     upstream windows that hold nothing else are released
//                     toward the root, re-sized (never below their old size)
//                     and placed where the first window that still holds
//                     something else, or the host aperture, has room:
//                     ENOENT when no window could be released, ENOSPC when
//                     there is no room, and nothing changes on either.
//
// State the tree cannot hold lives in ROOT/vfiokit-sim/state.json: which
// driver claims each function by ID, the host bridge apertures, faults to
// inject, the removed functions and a log of every write.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/sysfs/confinement.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

struct SimulatedHostSetup {
  // Driver that binds each function on probe without an override. Functions
  // not named get the driver they have at setup (unless vfio-pci or
  // pci-stub, which bind only by override).
  std::map<pci::Bdf, std::string> claims;
  // Host bridge apertures (inclusive ranges); by default one covering
  // everything on the root buses up to 2^48.
  std::vector<std::pair<uint64_t, uint64_t>> apertures;
  // Faults: errno of an unbind of these functions; preserve_config makes
  // every resize fail with 524 (ENOTSUPP) as on such firmware.
  std::map<pci::Bdf, int> unbind_errno;
  bool preserve_config = false;
};

class SimulatedKernel : public AttrWriter {
 public:
  static std::filesystem::path state_file(const std::filesystem::path& root);
  // Writes the state next to an existing tree.
  static Result<void> setup(const std::filesystem::path& root, const SimulatedHostSetup& setup);
  // Loads the state (set up with defaults when the tree has none).
  static Result<std::shared_ptr<SimulatedKernel>> open(const std::filesystem::path& root);

  Result<void> write(const std::filesystem::path& file, std::string_view value) override;
  // Registers the driver (bus/pci/drivers/NAME appears), as modprobe would.
  Result<void> load_module(const std::string& name) override;

  // Every write carried out or refused, in order: "PATH <- VALUE: result";
  // before each `remove`, "removed: BDF..." names every function it took.
  std::vector<std::string> log() const;

  struct State;
  ~SimulatedKernel() override;

 private:
  explicit SimulatedKernel(std::filesystem::path root, std::unique_ptr<State> state);
  Result<void> dispatch(const std::filesystem::path& rel, std::string_view value);
  Result<void> save() const;

  std::filesystem::path root_;
  std::unique_ptr<State> state_;
  // The tree is the user's: while the simulation runs, vfiokit reads it
  // confined, as any tree handed to it (host/sysfs/confinement.hpp).
  std::optional<ConfinedTree> confined_;
};

// The simulated host for a --simulate DIR option: DIR's sysfs tree with its
// simulated kernel as the writer.
Result<SysfsRoot> simulated_root(const std::filesystem::path& dir);

}  // namespace vfiokit::host

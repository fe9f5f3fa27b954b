// SPDX-License-Identifier: Apache-2.0
// The plan of a BAR resize through sysfs `resourceN_resize`, printed before
// anything is touched. The kernel refuses a resize while a driver is bound
// or VFs are enabled (EBUSY), and can grow the BAR only by releasing and
// re-sizing the upstream bridge windows: it walks from the BAR's bridge
// toward the root releasing each window that holds nothing else, stops at the
// first that still does, and places the re-sized windows there (ENOENT when
// not even the first could be released, ENOSPC when they do not fit). So the
// plan follows the same walk: the BAR's own window must be emptied; above it,
// while the grown window would not fit beside what else is in the next one,
// that next one must be emptied too. Emptying means soft-removing whole
// subtrees, bridges included. The kernel sizes the windows it re-sizes for
// what is present, so the removed functions would come back to no room:
// after the size write the topmost re-sized bridge is removed as well, and
// the rescan finds it again and sizes its windows for everything below it.
// Then every driver and override is put back, and the result verified.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/base/error.hpp"
#include "vfiokit/host/binding/driver_binding.hpp"
#include "vfiokit/host/rebar/bridge_window.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

struct ResizeRequest {
  pci::Bdf bdf;
  unsigned bar = 0;
  std::optional<ByteSize> size;  // nullopt with `max` set, or for a rehearsal of a fixed BAR
  bool max = false;
  // Every step but the size write: proves on a host (or for a BAR that is
  // not resizable) that the functions sharing the window can be removed and
  // brought back exactly.
  bool rehearse = false;
};

// "256M", "16G", "max" (case-insensitive).
Result<ResizeRequest> parse_resize_size(ResizeRequest request, std::string_view text);

struct AffectedFunction {
  pci::Bdf bdf;
  Binding original;
  std::optional<unsigned> group;  // IOMMU group before; must be the same after
  bool removed = false;           // soft-removed and rescanned (else: the target)
};

enum class ResizeStepKind { release_driver, remove, write_size, reenumerate, rescan, restore_binding, verify };

struct ResizeStep {
  ResizeStepKind kind;
  pci::Bdf bdf;
  std::string text;  // what the step does, as printed
};

struct ResizePlan {
  pci::Bdf bdf;
  unsigned bar = 0;
  ByteSize from, to;
  std::optional<unsigned> from_encoding, to_encoding;  // resourceN_resize values (absent in a rehearsal of a fixed BAR)
  bool rehearse = false;
  std::optional<WindowOccupancy> window;
  std::vector<AffectedFunction> functions;  // the target first
  std::vector<pci::Bdf> removed;            // functions removed (each with everything below it)
  std::vector<pci::Bdf> released;           // bridges whose window the kernel releases and re-sizes, BAR first
  std::optional<pci::Bdf> stop;             // the bridge whose window holds them (none: the host bridge aperture)
  std::optional<pci::Bdf> reenumerate;      // removed after the size write, found again by the rescan
  std::vector<std::string> notes;           // why the plan reaches as far as it does
  std::vector<ResizeStep> steps;
  std::vector<std::string> in_use;  // why not without --force
  bool nothing_to_do() const { return steps.empty(); }
};

// What the host uses a function for (host/in_use: function_uses), asked
// only of the functions the plan touches.
using UsesOf = std::function<std::vector<std::string>(const pci::Bdf&)>;

// Checks everything that can be checked before a change: the BAR is
// resizable (resourceN_resize exists) and supports the size, no VFs are
// enabled, the BAR has an address. Errors name the device and say why.
Result<ResizePlan> plan_resize(const SysfsRoot& root, const HostView& host, const ResizeRequest& request,
                               const UsesOf& uses_of);

}  // namespace vfiokit::host

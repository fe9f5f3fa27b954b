// SPDX-License-Identifier: Apache-2.0
// The plan of a group binding: which functions change and how, printed
// before anything is touched (--dry-run prints only this). The unit is the
// IOMMU group: VFIO can use a group only when every endpoint in it is bound
// to vfio-pci or to no driver, so binding one function means binding all.
// Bridges in a group are left on their drivers (vfio accepts pcieport).
#pragma once

#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/binding/driver_binding.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

enum class StepKind {
  load_module,   // modprobe the target driver
  set_override,  // driver_override := target
  unbind,        // detach the current driver
  probe,         // drivers_probe: the kernel binds the override's driver
  verify,        // every endpoint on the target driver, the group usable
};

struct BindStep {
  StepKind kind;
  pci::Bdf bdf;       // unused for load_module and verify
  std::string value;  // driver name where it applies
  std::string describe() const;
};

struct GroupMember {
  pci::Bdf bdf;
  Binding original;
  bool bridge = false;  // left alone
};

struct BindPlan {
  unsigned group = 0;
  std::string driver;
  std::vector<GroupMember> members;
  std::vector<BindStep> steps;
  // Why the plan must not run without --force: a function the host is
  // using, named with what uses it. SR-IOV refusals are not overridable.
  std::vector<std::string> in_use;
  std::vector<std::string> refusals;
  bool nothing_to_do() const;
};

// What the host uses each function for (block devices, interfaces, the
// console); empty lists for functions nothing uses.
using UsageMap = std::vector<std::pair<pci::Bdf, std::vector<std::string>>>;

// Plans binding every endpoint of `group` to `driver`. `driver_loaded`
// says whether a modprobe step is needed.
Result<BindPlan> plan_bind(const HostView& host, unsigned group, const std::string& driver, bool driver_loaded,
                           const UsageMap& usage);
// The same for a group already in hand (one of host.groups): what plans
// every group of a host uses, without a search per group.
Result<BindPlan> plan_bind(const HostView& host, const IommuGroup& group, const std::string& driver, bool driver_loaded,
                           const UsageMap& usage);

// The group a function belongs to, with a clear error without an IOMMU.
Result<unsigned> group_of_function(const HostView& host, const pci::Bdf& bdf);

}  // namespace vfiokit::host

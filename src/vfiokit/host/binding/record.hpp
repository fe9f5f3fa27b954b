// SPDX-License-Identifier: Apache-2.0
// What the journal records of a group binding (kind "group", file
// group-N.json): the group, the driver it was bound to, and each member's
// original driver and driver_override, which `release` and `recover` put
// back.
#pragma once

#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/change/journal.hpp"

namespace vfiokit::host {

inline constexpr const char* kBindingKind = "group";

struct BindingRecord {
  unsigned group = 0;
  std::string driver;  // what the group was bound to
  std::vector<GroupMember> members;
};

ChangeKey binding_key(unsigned group);
std::string binding_record_to_json(const BindingRecord& record);
// Every name is checked as new input would be: a BDF, a driver name that
// cannot leave bus/pci/drivers, an override the journal can hold.
Result<BindingRecord> binding_record_from_json(const std::string& text, const std::string& subject);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Who holds an IOMMU group a profile wants: `vfiokit bind` (a held entry of
// its own in the journal) or a profile that is up and bound it (its
// record has the group's bind as a part). Neither may be taken over: the
// one that bound the group gives it back, and a second holder would give it
// back from under the first. So `up` refuses such a group, and `bind` and
// `release` point at the profile that holds one.
#pragma once

#include <optional>
#include <string>

#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/profile/profile_plan.hpp"

namespace vfiokit::host {

// The profile whose `up` bound IOMMU group `group`, if one is up.
Result<std::optional<std::string>> profile_holding_group(const Journal& journal, unsigned group);

// Refuses the plan when one of its groups is held by `vfiokit bind` or by
// another profile, saying which and what gives it back.
Result<void> check_groups_free(const Journal& journal, const ProfilePlan& plan);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Every kind of journaled change vfiokit makes, for `recover` and
// `status`: an operation that journals a new kind of change adds its
// ChangeKind here.
#pragma once

#include <vector>

#include "vfiokit/host/change/change.hpp"

namespace vfiokit::host {

std::vector<ChangeKind> known_change_kinds();

}  // namespace vfiokit::host

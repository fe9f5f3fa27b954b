// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/known_changes.hpp"

#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/mdev/create_operation.hpp"
#include "vfiokit/host/profile/profile_change.hpp"
#include "vfiokit/host/rebar/resize_operation.hpp"

namespace vfiokit::host {

std::vector<ChangeKind> known_change_kinds() {
  return {binding_change_kind(), resize_change_kind(), mdev_change_kind(), profile_change_kind()};
}

}  // namespace vfiokit::host

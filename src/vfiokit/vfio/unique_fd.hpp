// SPDX-License-Identifier: Apache-2.0
// vfio's name for the descriptor owner, which base/ provides to every layer.
#pragma once

#include "vfiokit/base/unique_fd.hpp"

namespace vfiokit::vfio {

using UniqueFd = vfiokit::UniqueFd;

}  // namespace vfiokit::vfio

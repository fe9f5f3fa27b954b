// SPDX-License-Identifier: Apache-2.0
// Paths inside a tree vfiokit unpacks or reads on someone else's behalf (a
// snapshot archive, a sysfs-like directory), checked before anything is
// created or followed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// The components of a '/'-separated path, empty ones and "." left out
// (".." kept): "../../devices//x" is "..", "..", "devices", "x".
std::vector<std::string_view> path_components(std::string_view path);

// An entry's path as its components: relative, "." and empty components
// dropped ("./sys//bus" is sys, bus). Refused: an absolute path, a ".."
// component, a NUL byte. An empty result is the tree's root itself.
Result<std::vector<std::string>> tree_path_components(std::string_view path, const std::string& subject);

// Whether a link at depth `link_depth` (the number of directories between
// the tree's root and the link) pointing at `target` stays inside the tree
// however it is followed: a relative target of leading ".." components, no
// more of them than link_depth, then names only ("../../../devices/pci0000:00",
// as sysfs writes its links). A ".." after a name is refused even when it
// looks harmless, since the name before it may itself be a link that goes
// elsewhere; so is an absolute target.
bool link_stays_inside(std::string_view target, size_t link_depth);

}  // namespace vfiokit::host

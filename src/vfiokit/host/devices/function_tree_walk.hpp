// SPDX-License-Identifier: Apache-2.0
// The functions under ROOT/devices, read by walking the directories from
// each host bridge the way the kernel nests them: a function's directory
// sits in its upstream bridge's, so the walk knows every parent without
// reading a link, and opens each directory relative to its parent's.
#pragma once
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::host {

// Every function the walk reaches, in no order: one deque per thread, so
// that none is moved while the walk grows it.
using WalkedFunctions = std::vector<std::deque<PciFunction>>;

// `meanwhile` runs on the calling thread while the others begin (the
// caller's own listing of the bus, say), and then that thread joins the walk.
WalkedFunctions walk_function_tree(const std::filesystem::path& devices, Detail detail,
                                   const std::function<void()>& meanwhile);

}  // namespace vfiokit::host

// The functions under ROOT/devices, read by walking the directories from
// each host bridge the way the kernel nests them: a function's directory
// sits in its upstream bridge's, so the walk knows every parent without
// reading a link, and opens each directory relative to its parent's.
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

#include "host/pci_function.hpp"

namespace vfiokit::host {

// One slot per wanted function, in the order of `wanted`.
struct WalkedFunctions {
  std::vector<PciFunction> functions;
  // False for a function the walk did not reach (a host bridge outside
  // ROOT/devices, a fixture without the tree): its slot is empty.
  std::vector<bool> reached;
};

// `wanted` is sorted (the bus's list).
WalkedFunctions walk_function_tree(const std::filesystem::path& devices, const std::vector<pci::Bdf>& wanted,
                                   Detail detail);

}  // namespace vfiokit::host

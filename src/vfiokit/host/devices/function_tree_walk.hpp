// SPDX-License-Identifier: Apache-2.0
// The functions under ROOT/devices, read by walking the directories from
// each host bridge the way the kernel nests them: a function's directory
// sits in its upstream bridge's, so the walk knows every parent without
// reading a link, and opens each directory relative to its parent's.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::host {

// The functions one thread reads, in chunks that never move. Each chunk's
// memory is made present in one call (base/populate.hpp) before it is
// written: a function is 584 bytes, and one node allocated per function
// faulted its pages in one by one, and grew a thread's malloc arena a page
// at a time, an mprotect each (glibc pads only the main arena's growth):
// some 600 page faults and 250 system calls at 4,096 functions.
class FunctionChunks {
 public:
  PciFunction& emplace_back();
  size_t size() const;
  template <class F>
  void for_each(F&& f) {
    for (auto& chunk : chunks_)
      for (auto& function : chunk) f(function);
  }

 private:
  std::vector<std::vector<PciFunction>> chunks_;
};

// Every function the walk reaches, in no order: one store per thread.
using WalkedFunctions = std::vector<FunctionChunks>;

// Where a function the walk reaches is read into: a place of the caller's
// (its final one), or null to keep it in the walk's own store. Called from
// every walking thread at once; each place is handed out once.
using FunctionPlace = std::function<PciFunction*(const pci::Bdf&)>;

// `meanwhile` runs on the calling thread while the others begin (the
// caller's own listing of the bus, say), and then that thread joins the
// walk. Returns the functions `place` gave no place.
WalkedFunctions walk_function_tree(const std::filesystem::path& devices, Detail detail,
                                   const std::function<void()>& meanwhile, const FunctionPlace& place);

}  // namespace vfiokit::host

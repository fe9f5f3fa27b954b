// SPDX-License-Identifier: Apache-2.0
// pci.ids loaded on a thread of its own while the command reads sysfs: on
// a host of thousands of functions the two take milliseconds each, and a
// command that names every function (`list`, `groups`) would otherwise
// load the database only at its first name, after the read.
#pragma once

#include <future>
#include <memory>

#include "vfiokit/host/devices/pci_names.hpp"

namespace vfiokit::cli {

class NamesLoading {
 public:
  // Starts the load; with no thread to spare, the database loads at get().
  NamesLoading();
  NamesLoading(const NamesLoading&) = delete;
  NamesLoading& operator=(const NamesLoading&) = delete;

  // The names, once loaded (waits for the load the first time).
  host::PciNames& get();

 private:
  std::future<std::unique_ptr<host::PciNames>> loading_;
  std::unique_ptr<host::PciNames> loaded_;
};

}  // namespace vfiokit::cli

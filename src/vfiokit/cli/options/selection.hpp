// SPDX-License-Identifier: Apache-2.0
// Which functions a command shows, as lspci selects them and a little more:
//   -s [[[[domain]:]bus]:][slot][.[func]]   lspci -s
//   -d [vendor]:[device][:class]             lspci -d
//   --class NAME|CODE   a class name from pci.ids ("ethernet", "VGA"), or
//                       its code: 2 hex digits (class) or 4 (and subclass)
//   --driver NAME       the bound driver ("none" for none)
//   --viable            functions in groups VFIO can use now
//   --bindable          functions in groups `bind` would take without --force
// Every option given must hold. list, groups and status share them.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/facts/host_facts.hpp"
#include "vfiokit/pci/selection/device_patterns.hpp"

namespace vfiokit::cli {

struct SelectionOptions {
  std::string slot, id, device_class, driver;
  bool viable = false, bindable = false;
};

void add_selection_options(CLI::App* cmd, SelectionOptions& options);

class Selection {
 public:
  // The patterns were checked while parsing (a bad one is a usage error).
  static Selection make(const SelectionOptions& options);

  bool everything() const;
  // Whether --viable or --bindable asks for the group facts.
  bool needs_group_facts() const { return viable_ || bindable_; }
  bool selects(const host::PciFunction& f, const host::HostFacts* facts, host::PciNames& names) const;

 private:
  std::optional<pci::SlotPattern> slot_;
  std::optional<pci::IdPattern> id_;
  std::optional<uint32_t> class_code_;
  unsigned class_digits_ = 0;  // 2: class only; 4: class and subclass
  std::string class_name_;     // lowercase, when a name was given
  std::string driver_;
  bool viable_ = false, bindable_ = false;
};

}  // namespace vfiokit::cli

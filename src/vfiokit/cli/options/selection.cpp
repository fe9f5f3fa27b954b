// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/selection.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "vfiokit/cli/usage/validators.hpp"

namespace vfiokit::cli {
namespace {

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<uint32_t> class_code_of(const std::string& text) {
  if (text.size() != 2 && text.size() != 4) return std::nullopt;
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

void add_selection_options(CLI::App* cmd, SelectionOptions& o) {
  cmd->add_option("-s", o.slot, "only functions at [[[[domain]:]bus]:][slot][.[func]], as lspci -s")
      ->check(slot_pattern_value());
  cmd->add_option("-d", o.id, "only functions with [vendor]:[device][:class], as lspci -d")->check(id_pattern_value());
  cmd->add_option(
      "--class", o.device_class,
      "only functions of a class: part of its pci.ids name (ethernet, vga, non-volatile) or its code (02, 0200)");
  cmd->add_option("--driver", o.driver, "only functions bound to this driver ('none': to no driver)");
  cmd->add_flag("--viable", o.viable, "only functions in IOMMU groups VFIO can use now");
  cmd->add_flag("--bindable", o.bindable, "only functions in IOMMU groups `bind` would take without --force");
}

Selection Selection::make(const SelectionOptions& o) {
  Selection s;
  if (!o.slot.empty()) s.slot_ = *pci::SlotPattern::parse(o.slot);
  if (!o.id.empty()) s.id_ = *pci::IdPattern::parse(o.id);
  if (!o.device_class.empty()) {
    if (auto code = class_code_of(o.device_class)) {
      s.class_code_ = *code;
      s.class_digits_ = static_cast<unsigned>(o.device_class.size());
    } else {
      s.class_name_ = lowercase(o.device_class);
    }
  }
  s.driver_ = o.driver;
  s.viable_ = o.viable;
  s.bindable_ = o.bindable;
  return s;
}

bool Selection::everything() const {
  return !slot_ && !id_ && !class_code_ && class_name_.empty() && driver_.empty() && !viable_ && !bindable_;
}

bool Selection::selects(const host::PciFunction& f, const host::HostFacts* facts, host::PciNames& names) const {
  if (slot_ && !slot_->matches(f.bdf)) return false;
  if (id_ && !id_->matches(f.vendor_id, f.device_id, f.class_code)) return false;
  if (class_code_) {
    if (!f.class_code) return false;
    const uint32_t have = class_digits_ == 2 ? *f.class_code >> 16 : *f.class_code >> 8;
    if (have != *class_code_) return false;
  }
  if (!class_name_.empty()) {
    // Part of the subclass's name ("Ethernet controller", "Non-Volatile
    // memory controller") or of the class's ("Network controller").
    if (!f.class_code) return false;
    const std::string sub = lowercase(names.device_class(*f.class_code));
    const std::string base = lowercase(names.device_class(*f.class_code & 0xff0000));
    if (sub.find(class_name_) == std::string::npos && base.find(class_name_) == std::string::npos) return false;
  }
  if (!driver_.empty() && (driver_ == "none" ? !f.driver.empty() : f.driver != driver_)) return false;
  if (viable_ || bindable_) {
    if (!facts || !f.iommu_group) return false;
    auto it = facts->groups.find(*f.iommu_group);
    if (it == facts->groups.end()) return false;
    if (viable_ && !it->second.viable) return false;
    if (bindable_ && !it->second.bindable) return false;
  }
  return true;
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// A function's power or reset policy set for a profile, as a journaled
// change: `d3cold_allowed` (whether the function may enter D3cold) or
// `reset_method` (which resets the kernel may use, in order), each written
// with its original recorded so that `down` and `recover` put it back.
#pragma once

#include <string>
#include <vector>

#include "vfiokit/host/change/change.hpp"

namespace vfiokit::host {

inline constexpr const char* kSettingKind = "setting";

struct SettingRecord {
  pci::Bdf bdf;
  std::string attribute;  // d3cold_allowed or reset_method
  std::string original;   // as read, without its newline
  std::string value;
};

// The settings a profile may make (the attribute names double as the
// profile's keys).
bool known_setting(const std::string& attribute);

// Plans setting `attribute` of `bdf` to `value`: reads the original; an
// attribute the function lacks (no ACPI power management, no reset method)
// is an error naming it. nullopt when it already has that value.
Result<std::optional<SettingRecord>> plan_setting(const SysfsRoot& root, const pci::Bdf& bdf,
                                                  const std::string& attribute, const std::string& value);

class SettingChange final : public Change {
 public:
  SettingChange(SysfsRoot root, SettingRecord record);
  ChangeKey key() const override { return {kSettingKind, record_.bdf.str() + "-" + record_.attribute}; }
  std::string subject() const override;
  std::string describe() const override;
  std::string record() const override;
  std::vector<std::string> steps() const override;
  Result<void> run_step(size_t index, const ExecutionOptions& options) override;
  std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) override;
  std::string undone() const override;

 private:
  SysfsRoot root_;
  SettingRecord record_;
};

ChangeKind setting_change_kind();

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// `vfiokit up PROFILE` as one journaled change (kind "profile", file
// profile-NAME.json): the plan's resizes, group binds and settings run one
// after another as the parts of one change, with one record holding every
// part's record, so that any failure undoes all of them, newest first, back
// to the host as it was before `up`. A completed `up` stays in the journal
// as held until `vfiokit down` undoes it the same way; `recover` finishes
// undoing an interrupted `up` or `down`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vfiokit/host/change/change.hpp"
#include "vfiokit/host/change/executor.hpp"
#include "vfiokit/host/profile/profile_plan.hpp"

namespace vfiokit::host {

inline constexpr const char* kProfileKind = "profile";

ChangeKey profile_key(const std::string& name);

class ProfileChange final : public Change {
 public:
  struct Part {
    std::string kind;
    std::unique_ptr<Change> change;
  };
  ProfileChange(const SysfsRoot& root, const ProfilePlan& plan);
  ProfileChange(std::string name, std::vector<Part> parts);

  ChangeKey key() const override { return profile_key(name_); }
  std::string subject() const override { return "profile " + name_; }
  std::string describe() const override;
  std::string record() const override;
  std::vector<std::string> steps() const override;
  Result<void> run_step(size_t index, const ExecutionOptions& options) override;
  std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) override;
  std::string undone() const override { return "every device is back as it was before `up`"; }
  bool held_when_done() const override { return true; }
  std::string held_summary() const override { return "up"; }
  std::vector<std::string> preview() const override;

  const std::vector<Part>& parts() const { return parts_; }
  // The targets of the parts (a group, a BAR, a setting), each once, in
  // one fixed order (by journal file name), for locking them all without
  // deadlock against another vfiokit locking some of them.
  std::vector<ChangeKey> part_keys() const;

 private:
  std::string name_;
  std::vector<Part> parts_;
};

ChangeKind profile_change_kind();

Result<void> apply_profile(const SysfsRoot& root, const ProfilePlan& plan, const Journal& journal,
                           const ExecutionOptions& options);

// The profile as the journal holds it (nullopt when it is not up).
Result<std::optional<JournalEntry>> read_profile_entry(const Journal& journal, const std::string& name);

// `vfiokit down`: undoes what `up` recorded.
Result<void> take_down_profile(const SysfsRoot& root, const JournalEntry& entry, const Journal& journal,
                               const ExecutionOptions& options);

}  // namespace vfiokit::host

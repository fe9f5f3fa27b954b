// SPDX-License-Identifier: Apache-2.0
// Binding an IOMMU group as a journaled change (host/change): the steps of
// a BindPlan, each recorded before it runs; verified; on any failure every
// member put back. A completed bind stays in the journal as "held", and
// `release` (or `recover`, for an interrupted one) undoes it from the
// record: every member back to its recorded driver and driver_override.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/change/change.hpp"
#include "vfiokit/host/change/executor.hpp"

namespace vfiokit::host {

// What giving the group back would do now, a line per member, for
// --dry-run and `recover`.
std::vector<std::string> restore_preview(const SysfsRoot& root, const BindingRecord& record);

class BindChange final : public Change {
 public:
  // To apply `plan`.
  BindChange(SysfsRoot root, BindPlan plan);
  // To undo what the journal recorded.
  BindChange(SysfsRoot root, BindingRecord record, std::vector<std::string> steps);

  ChangeKey key() const override { return binding_key(record_.group); }
  std::string subject() const override;
  std::string describe() const override { return "a bind to " + record_.driver; }
  std::string held_summary() const override;
  std::vector<std::string> preview() const override { return restore_preview(root_, record_); }
  std::string record() const override { return binding_record_to_json(record_); }
  std::vector<std::string> steps() const override { return step_texts_; }
  Result<void> run_step(size_t index, const ExecutionOptions& options) override;
  std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) override;
  std::string undone() const override { return "every function is back as it was"; }
  bool held_when_done() const override { return true; }
  Result<void> adopt_held(const JournalEntry& held) override;

 private:
  Result<void> verify() const;

  SysfsRoot root_;
  BindingRecord record_;
  std::vector<BindStep> plan_steps_;  // empty when made from the journal
  std::vector<std::string> step_texts_;
};

ChangeKind binding_change_kind();

// Runs `plan` (bind). On success the journal holds the group.
Result<void> apply_bind(const SysfsRoot& root, const BindPlan& plan, const Journal& journal,
                        const ExecutionOptions& options);

// The group as the journal holds it (nullopt when vfiokit does not).
struct HeldGroup {
  JournalEntry entry;
  BindingRecord record;
};
Result<std::optional<HeldGroup>> read_held_group(const Journal& journal, unsigned group);

// Gives a group back (release): every member to its recorded original.
Result<void> release_group(const SysfsRoot& root, const HeldGroup& held, const Journal& journal,
                           const ExecutionOptions& options);

}  // namespace vfiokit::host

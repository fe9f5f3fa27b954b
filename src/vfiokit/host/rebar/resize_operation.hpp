// SPDX-License-Identifier: Apache-2.0
// A BAR resize as a journaled change (host/change): the steps of a
// ResizePlan, each recorded before it runs; on any failure, or from
// `recover`, the original size put back, the removed functions rescanned,
// every driver and driver_override restored, and the kernel's errno
// explained in plain words.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vfiokit/host/change/change.hpp"
#include "vfiokit/host/change/executor.hpp"
#include "vfiokit/host/rebar/resize_record.hpp"

namespace vfiokit::host {

class ResizeChange final : public Change {
 public:
  ResizeChange(SysfsRoot root, const ResizePlan& plan);
  ResizeChange(SysfsRoot root, ResizeRecord record, std::vector<std::string> steps);

  ChangeKey key() const override { return resize_key(record_.bdf); }
  std::string subject() const override;
  std::string describe() const override;
  std::string record() const override { return resize_record_to_json(record_); }
  std::vector<std::string> steps() const override { return step_texts_; }
  Result<void> run_step(size_t index, const ExecutionOptions& options) override;
  // The BAR back to its original size (only if it changed), removed
  // functions rescanned, drivers and overrides restored, verified.
  std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) override;
  std::string undone() const override;

 private:
  SysfsRoot root_;
  ResizeRecord record_;
  std::vector<ResizeStep> plan_steps_;  // empty when made from the journal
  std::vector<std::string> step_texts_;
};

ChangeKind resize_change_kind();

Result<void> apply_resize(const SysfsRoot& root, const ResizePlan& plan, const Journal& journal,
                          const ExecutionOptions& options);

// What the kernel means by a resourceN_resize errno, and what to try.
std::string explain_resize_errno(int err);

}  // namespace vfiokit::host

// Applies a bind plan step by step with the journal written before each
// step, verifies, and on any failure puts every function back as it was;
// restores recorded originals for `release` and `recover`.
#pragma once

#include "base/error.hpp"
#include "host/binding_journal.hpp"
#include "host/binding_plan.hpp"
#include "host/execution_options.hpp"

namespace vfiokit::host {

// Runs `plan`. On success the journal holds the group as "held". On failure
// every member is restored, the journal entry removed, and the error says
// which step failed and that the host is back as it was (or, if restoring
// also failed, exactly what is left).
Result<void> apply_bind(const SysfsRoot& root, const BindPlan& plan, const BindingJournal& journal,
                        const ExecutionOptions& options);

// Puts every member of `entry` back to its recorded driver and
// driver_override, verifies, and removes the entry.
Result<void> restore_group(const SysfsRoot& root, JournalEntry entry, const BindingJournal& journal,
                           const ExecutionOptions& options);

// The steps restore_group would run now, for --dry-run.
std::vector<std::string> restore_preview(const SysfsRoot& root, const JournalEntry& entry);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// `vfiokit recover`'s loop, one for every operation: each journal entry
// that is not held is made back into its Change (by the ChangeKind of its
// kind) and undone. A damaged file, an unknown kind or a failed undo is
// reported and skipped; every other entry is still recovered.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vfiokit/host/change/change.hpp"

namespace vfiokit::host {

// What recovery tells as it goes, so that a command can print it.
struct RecoveryReport {
  // A held entry, left alone (its operation gives it back).
  std::function<void(const JournalEntry&, const Change&)> held;
  // An interrupted change about to be undone.
  std::function<void(const JournalEntry&, const Change&)> undoing;
  // Undone: the host is as before it.
  std::function<void(const JournalEntry&, const Change&)> undone;
  // A file that could not be recovered, and why.
  std::function<void(const Error&)> failed;
};

// The Change a journal entry records, made by the ChangeKind of its kind;
// an error naming the file for a kind this vfiokit does not know or a
// record that does not parse. recover_changes and `status` use it.
Result<std::unique_ptr<Change>> change_from_entry(const SysfsRoot& root, const Journal& journal,
                                                  const std::vector<ChangeKind>& kinds, const JournalEntry& entry);

struct RecoveryTotals {
  int undone = 0;
  int failed = 0;
};

RecoveryTotals recover_changes(const SysfsRoot& root, const Journal& journal, const std::vector<ChangeKind>& kinds,
                               const ExecutionOptions& options, const RecoveryReport& report);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Runs a Change through the journal: each step is recorded before it runs,
// so an interruption at any point leaves an entry `recover` can act on; a
// failing step undoes everything and says which step failed and whether the
// host is back as it was.
#pragma once

#include "vfiokit/host/change/change.hpp"

namespace vfiokit::host {

// Applies `change`. A target with an unfinished entry is refused (run
// `vfiokit recover` first). On success the entry is removed, or kept as
// held (Change::held_when_done). On failure the change is undone and the
// error names the failed step and the outcome.
Result<void> apply_change(Change& change, const Journal& journal, const ExecutionOptions& options);

// Undoes `change` as recorded in `entry` (a release, a rollback, `recover`):
// the entry is marked undoing, the change undone, and the entry removed. If
// anything could not be put back, the entry stays for `vfiokit recover` and
// the error says what is left.
Result<void> undo_change(Change& change, JournalEntry entry, const Journal& journal, const ExecutionOptions& options);

}  // namespace vfiokit::host

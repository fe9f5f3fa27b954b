// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/change/recovery.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vfiokit/host/change/executor.hpp"

namespace vfiokit::host {

Result<std::unique_ptr<Change>> change_from_entry(const SysfsRoot& root, const Journal& journal,
                                                  const std::vector<ChangeKind>& kinds, const JournalEntry& entry) {
  const auto kind =
      std::find_if(kinds.begin(), kinds.end(), [&](const ChangeKind& k) { return k.kind == entry.key.kind; });
  if (kind == kinds.end())
    return fail(Errc::unsupported, journal.file(entry.key).string(),
                fmt::format("records a change of kind '{}', which this vfiokit does not know", entry.key.kind));
  return kind->from_entry(root, entry);
}

RecoveryTotals recover_changes(const SysfsRoot& root, const Journal& journal, const std::vector<ChangeKind>& kinds,
                               const ExecutionOptions& options, const RecoveryReport& report) {
  RecoveryTotals totals;
  auto failed = [&](const Error& e) {
    ++totals.failed;
    if (report.failed) report.failed(e);
  };
  Journal::Listing listing = journal.list();
  for (const auto& e : listing.damaged) failed(e);
  for (const auto& listed : listing.entries) {
    // Under the target's lock, the entry as it is now: another vfiokit
    // (a second recover, the change itself still running) may have
    // finished with it since the listing.
    auto lock = journal.lock(listed.key, options.lock_wait);
    if (!lock) {
      failed(lock.error());
      continue;
    }
    auto now = journal.read(listed.key);
    if (!now) {
      failed(now.error());
      continue;
    }
    if (!*now) continue;
    const JournalEntry& entry = **now;
    auto change = change_from_entry(root, journal, kinds, entry);
    if (!change) {
      failed(change.error());
      continue;
    }
    if (entry.state == ChangeState::held) {
      if (report.held) report.held(entry, **change);
      continue;
    }
    if (report.undoing) report.undoing(entry, **change);
    ExecutionOptions locked = options;
    locked.held_lock = &*lock;
    if (auto ok = undo_change(**change, entry, journal, locked); !ok) {
      failed(ok.error());
      continue;
    }
    ++totals.undone;
    if (report.undone) report.undone(entry, **change);
  }
  return totals;
}

}  // namespace vfiokit::host

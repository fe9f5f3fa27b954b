// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/change/executor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include "vfiokit/host/change/process_identity.hpp"

namespace vfiokit::host {

Result<void> Change::adopt_held(const JournalEntry& held) {
  return fail(Errc::invalid_argument, subject(),
              fmt::format("is held by vfiokit ({}): give it back first", held.key.file_name()));
}

namespace {

// undo_change with the target's lock already held.
Result<void> undo_locked(Change& change, JournalEntry entry, const Journal& journal, const ExecutionOptions& options) {
  entry.state = ChangeState::undoing;
  const auto self = ProcessIdentity::self();
  entry.pid = self.pid;
  entry.pid_start = self.start;
  if (auto ok = journal.write(entry); !ok) return ok;
  StepCounter writes(options);
  const std::string what = "put back: " + change.describe();
  const auto started = std::chrono::steady_clock::now();
  if (options.on_step) options.on_step({StepEvent::Phase::started, 0, 1, what, {}});
  const auto left = change.undo(options, [&] { writes.done(); });
  if (options.on_step)
    options.on_step({left.empty() ? StepEvent::Phase::succeeded : StepEvent::Phase::failed, 0, 1, what,
                     std::chrono::steady_clock::now() - started});
  if (!left.empty())
    return fail(
        Errc::io, change.subject(),
        fmt::format("could not be fully restored ({}); the journal {} keeps the originals for `vfiokit recover`",
                    fmt::join(left, "; "), journal.file(entry.key).string()));
  return journal.remove(entry.key);
}

// The target's lock: the one the caller holds, or a new one.
Result<std::optional<Journal::Lock>> lock_target(const ChangeKey& key, const Journal& journal,
                                                 const ExecutionOptions& options) {
  if (options.held_lock && options.held_lock->held() && options.held_lock->key() == key)
    return std::optional<Journal::Lock>();
  auto lock = journal.lock(key, options.lock_wait);
  if (!lock) return fail(lock.error());
  return std::optional<Journal::Lock>(std::move(*lock));
}

}  // namespace

Result<void> undo_change(Change& change, JournalEntry entry, const Journal& journal, const ExecutionOptions& options) {
  auto lock = lock_target(entry.key, journal, options);
  if (!lock) return fail(lock.error());
  if (*lock) {
    // Locked only now: another vfiokit may have finished with the entry
    // meanwhile, so it is read again. A caller that held the lock already
    // (recover) read it under the lock itself.
    auto now = journal.read(entry.key);
    if (!now) return fail(now.error());
    if (!*now) return fail(Errc::not_found, change.subject(), "was already undone by another vfiokit");
    entry = std::move(**now);
  }
  return undo_locked(change, std::move(entry), journal, options);
}

Result<void> apply_change(Change& change, const Journal& journal, const ExecutionOptions& options) {
  const ChangeKey key = change.key();
  // Held from the check for an unfinished entry to the last step (or from
  // planning, by the caller), so two vfiokits cannot both pass the check
  // and run at once.
  auto lock = lock_target(key, journal, options);
  if (!lock) return fail(lock.error());
  auto existing = journal.read(key);
  if (!existing) return fail(existing.error());
  if (*existing && (*existing)->state != ChangeState::held)
    return fail(
        Errc::invalid_argument, change.subject(),
        fmt::format("has an unfinished operation in {}: run `vfiokit recover` first", journal.file(key).string()));
  if (*existing)
    if (auto ok = change.adopt_held(**existing); !ok) return ok;
  const auto self = ProcessIdentity::self();
  JournalEntry entry{key, ChangeState::applying, 0, change.steps(), self.pid, self.start, change.record()};
  StepCounter steps(options);
  for (size_t i = 0; i < entry.steps.size(); ++i) {
    entry.next_step = i;
    if (auto ok = journal.write(entry); !ok) return ok;
    const auto started = std::chrono::steady_clock::now();
    if (options.on_step) options.on_step({StepEvent::Phase::started, i, entry.steps.size(), entry.steps[i], {}});
    auto ok = options.fail_step == i + 1
                  ? fail(Errc::io, change.subject(), "failed on purpose (" + std::string(kFailStepEnv) + ")")
                  : change.run_step(i, options);
    if (options.on_step)
      options.on_step({ok ? StepEvent::Phase::succeeded : StepEvent::Phase::failed, i, entry.steps.size(),
                       entry.steps[i], std::chrono::steady_clock::now() - started});
    if (!ok) {
      const Error cause = ok.error();
      auto undone = undo_locked(change, entry, journal, options);
      const std::string outcome = undone ? change.undone() : "undoing failed too: " + undone.error().describe();
      return fail(Error(cause.code(), cause.subject(),
                        fmt::format("{} (step {} of {}: {}); {}", cause.message(), i + 1, entry.steps.size(),
                                    entry.steps[i], outcome),
                        cause.sys_errno()));
    }
    steps.done();
  }
  if (!change.held_when_done()) return journal.remove(key);
  entry.state = ChangeState::held;
  entry.next_step = entry.steps.size();
  return journal.write(entry);
}

}  // namespace vfiokit::host

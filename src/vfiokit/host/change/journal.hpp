// SPDX-License-Identifier: Apache-2.0
// vfiokit's journal: one directory (/run/vfiokit, a tmpfs: a reboot forgets
// bindings, and the journal with them) holding one file per change to the
// host that is running, was interrupted, or is held: KIND-ID.json
// (group-15.json, resize-0000:03:00.0.json, mdev-UUID.json).
//
// Every file has one envelope, whatever the operation (schema
// vfiokit.journal/2): the kind and id, the state, the printed steps and the
// one about to run, the pid that wrote it, and the operation's own record of
// what it must put back ("record", a JSON object the operation defines).
// Files are replaced atomically and durably before every step, so after a
// crash or kill -9 at any point `vfiokit recover` finds each change as its
// last step left it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

inline constexpr const char* kJournalDirEnv = "VFIOKIT_JOURNAL_DIR";
inline constexpr const char* kDefaultJournalDir = "/run/vfiokit";

// What a journal file is about: the operation's kind ("group", "resize",
// "mdev": the file's prefix) and the thing it changes.
struct ChangeKey {
  std::string kind;
  std::string id;
  std::string file_name() const { return kind + "-" + id + ".json"; }
  bool operator==(const ChangeKey&) const = default;
};

enum class ChangeState {
  applying,  // the steps are running (or were interrupted)
  held,      // applied, and kept until the operation's own undo (a bound group until release)
  undoing,   // a failure, a release or `recover` is putting the originals back
};
const char* change_state_name(ChangeState state);

struct JournalEntry {
  ChangeKey key;
  ChangeState state = ChangeState::applying;
  size_t next_step = 0;            // steps[next_step] is about to run
  std::vector<std::string> steps;  // the plan, as printed
  long pid = 0;                    // the process that wrote the entry last
  uint64_t pid_start = 0;          // and its start time (process_identity.hpp); 0 if not recorded
  std::string record;              // the operation's record: a JSON object, as text
};

std::string journal_entry_to_json(const JournalEntry& entry);
// `subject` names the file in errors. Damaged, hand-edited or hostile text
// is an error, never an exception or a crash.
Result<JournalEntry> journal_entry_from_json(const std::string& text, const std::string& subject);

// How long Journal::lock waits for a busy target (0: not at all), and what
// it says once when it begins to wait.
struct LockWait {
  int timeout_ms = 0;
  std::function<void(const std::string& why)> on_wait;
};

// vfiokit runs as root and acts on what its journal says, so the journal is
// trusted only where nobody else could have written it: the directory is
// created 0700, and one that is a symlink, is not owned by root or by this
// user, or is writable by group or others is refused, naming the fix. An
// entry is read only if it is a regular file (never through a symlink, and
// a FIFO never blocks: O_NOFOLLOW | O_NONBLOCK), of at most 1 MiB.
class Journal {
 public:
  // An explicit directory wins, then $VFIOKIT_JOURNAL_DIR, then /run/vfiokit.
  static Journal choose(const std::string& explicit_dir);
  explicit Journal(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path file(const ChangeKey& key) const { return dir_ / key.file_name(); }

  // Atomically replaces the entry's file (write, fsync, rename, fsync dir).
  Result<void> write(const JournalEntry& entry) const;
  // nullopt when there is no file; an error when it does not parse or
  // names another change than its file name says.
  Result<std::optional<JournalEntry>> read(const ChangeKey& key) const;
  Result<void> remove(const ChangeKey& key) const;

  // An exclusive lock on one change's target (flock on DIR/.KIND-ID.lock),
  // held from planning (the CLI takes it before it reads the host to plan)
  // or at least by the executor for the whole of an apply or an undo, so
  // that two vfiokits never plan and run changes on one target at once. A
  // busy target is waited for as long as `wait` says, then an error naming
  // it. The holder removes the file before
  // it lets go; a locker that finds its file replaced or removed meanwhile
  // tries again, so two can never hold locks on two files of one name.
  class Lock {
   public:
    Lock() = default;
    Lock(Lock&& o) noexcept : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)), key_(std::move(o.key_)) {}
    Lock& operator=(Lock&& o) noexcept;
    ~Lock();
    // What it locks; nothing for a Lock that holds none.
    const ChangeKey& key() const { return key_; }
    bool held() const { return fd_ >= 0; }

   private:
    friend class Journal;
    Lock(int fd, std::filesystem::path path, ChangeKey key) : fd_(fd), path_(std::move(path)), key_(std::move(key)) {}
    void release();
    int fd_ = -1;
    std::filesystem::path path_;
    ChangeKey key_;
  };
  Result<Lock> lock(const ChangeKey& key, const LockWait& wait = LockWait()) const;

  struct Listing {
    std::vector<JournalEntry> entries;  // sorted by file name
    std::vector<Error> damaged;         // files that are not entries, each named
  };
  // Every entry of `kind` (every kind when empty). A damaged file is listed
  // in `damaged` and does not hide the others.
  Listing list(std::string_view kind = {}) const;

 private:
  // The directory as trusted above; `create` makes it when it is missing.
  // Without `create`, a missing directory is fine (nothing is journaled).
  Result<void> check_dir(bool create) const;
  std::filesystem::path dir_;
};

}  // namespace vfiokit::host

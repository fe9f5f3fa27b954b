// The journal of binding changes: one JSON file per IOMMU group under
// /run/vfiokit (a tmpfs: a reboot forgets bindings, and the journal with
// them), written and flushed before every step, so that after a crash or a
// kill -9 at any point `vfiokit recover` knows each function's original
// driver and driver_override and puts them back.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "host/binding_plan.hpp"

namespace vfiokit::host {

inline constexpr const char* kJournalDirEnv = "VFIOKIT_JOURNAL_DIR";
inline constexpr const char* kDefaultJournalDir = "/run/vfiokit";

enum class JournalState {
  binding,     // a bind is being applied (or was interrupted)
  held,        // the bind completed: vfiokit holds the group
  restoring,   // a release or rollback is putting the originals back
};
const char* journal_state_name(JournalState state);

struct JournalEntry {
  unsigned group = 0;
  std::string driver;  // what the group was bound to
  JournalState state = JournalState::binding;
  size_t next_step = 0;            // steps[next_step] is about to run
  std::vector<std::string> steps;  // the plan, as printed
  std::vector<GroupMember> members;
  long pid = 0;
};

class BindingJournal {
 public:
  // An explicit directory wins, then $VFIOKIT_JOURNAL_DIR, then /run/vfiokit.
  static BindingJournal choose(const std::string& explicit_dir);
  explicit BindingJournal(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path file(unsigned group) const;

  // Atomically replaces the group's entry (write, fsync, rename, fsync dir).
  Result<void> write(const JournalEntry& entry) const;
  Result<std::optional<JournalEntry>> read(unsigned group) const;
  // Every entry; entries that do not parse are errors naming the file.
  Result<std::vector<JournalEntry>> list() const;
  Result<void> remove(unsigned group) const;

 private:
  std::filesystem::path dir_;
};

std::string journal_to_json(const JournalEntry& entry);
Result<JournalEntry> journal_from_json(const std::string& text, const std::string& subject);

}  // namespace vfiokit::host

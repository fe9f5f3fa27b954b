// Creating and removing mdevs as journaled plans. Before the UUID is written
// to `create`, a journal entry (mdev-UUID.json, next to the binding and
// resize journals) records it; the entry goes once the mdev is verified, so
// after a crash or kill -9 `vfiokit recover` removes an mdev whose creation
// did not finish. Removing is a single write; it is not journaled.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/execution_options.hpp"
#include "host/mdev.hpp"

namespace vfiokit::host {

struct MdevJournalEntry {
  Uuid uuid;
  std::string parent;
  std::string type;
  long pid = 0;
};

class MdevJournal {
 public:
  explicit MdevJournal(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path file(const Uuid& uuid) const;
  Result<void> write(const MdevJournalEntry& entry) const;
  Result<std::vector<MdevJournalEntry>> list() const;
  Result<void> remove(const Uuid& uuid) const;

 private:
  std::filesystem::path dir_;
};

std::string mdev_entry_to_json(const MdevJournalEntry& entry);
Result<MdevJournalEntry> mdev_entry_from_json(const std::string& text, const std::string& subject);

struct MdevCreatePlan {
  MdevType type;
  Uuid uuid;
  std::vector<std::string> steps;  // for --dry-run
};

// Refused with the reason when the type does not exist, has no instance
// left, or the UUID is taken. A missing UUID is drawn at random.
Result<MdevCreatePlan> plan_mdev_create(const SysfsRoot& root, const std::string& parent, const std::string& type,
                                        std::optional<Uuid> uuid);
// Journal, write `create`, verify the mdev and its type, drop the journal.
// On failure nothing is left: an mdev that appeared is removed again.
Result<MdevDevice> create_mdev(const SysfsRoot& root, const MdevCreatePlan& plan, const MdevJournal& journal,
                               const ExecutionOptions& options);
// Writes 1 to the mdev's `remove` and checks it is gone. The kernel refuses
// (EBUSY) while a VFIO user has it open.
Result<void> remove_mdev(const SysfsRoot& root, const Uuid& uuid);
// An interrupted creation: removes the mdev if it exists, then the entry.
// Returns whether there was an mdev to remove.
Result<bool> recover_mdev(const SysfsRoot& root, const MdevJournalEntry& entry, const MdevJournal& journal);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Creating an mdev as a journaled change (host/change, kind "mdev", file
// mdev-UUID.json): the UUID, parent and type are recorded before the UUID
// is written to `create`; the entry goes once the mdev is verified, so
// after a crash or kill -9 `vfiokit recover` removes an mdev whose creation
// did not finish. Removing an mdev is a single write; it is not journaled.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/change/change.hpp"
#include "vfiokit/host/change/executor.hpp"
#include "vfiokit/host/mdev/mdev.hpp"

namespace vfiokit::host {

inline constexpr const char* kMdevKind = "mdev";

struct MdevRecord {
  Uuid uuid;
  std::string parent;
  std::string type;
};

ChangeKey mdev_key(const Uuid& uuid);
std::string mdev_record_to_json(const MdevRecord& record);
// Names become sysfs paths: anything that could leave the tree is refused.
Result<MdevRecord> mdev_record_from_json(const std::string& text, const std::string& subject);

struct MdevCreatePlan {
  MdevType type;
  Uuid uuid;
  std::vector<std::string> steps;  // for --dry-run
};

// Refused with the reason when the type does not exist, has no instance
// left, or the UUID is taken. A missing UUID is drawn at random.
Result<MdevCreatePlan> plan_mdev_create(const SysfsRoot& root, const std::string& parent, const std::string& type,
                                        std::optional<Uuid> uuid);

class MdevCreateChange final : public Change {
 public:
  MdevCreateChange(SysfsRoot root, MdevRecord record, std::vector<std::string> steps);

  ChangeKey key() const override { return mdev_key(record_.uuid); }
  std::string subject() const override { return "mdev " + record_.uuid.str(); }
  std::string describe() const override { return "a creation of " + record_.parent + "/" + record_.type; }
  std::string record() const override { return mdev_record_to_json(record_); }
  std::vector<std::string> steps() const override { return steps_; }
  // 0: the UUID is still free; 1: write it to `create`; 2: verify the mdev.
  Result<void> run_step(size_t index, const ExecutionOptions& options) override;
  // Removes the mdev if it exists.
  std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) override;
  std::string undone() const override { return removed_ ? "removed" : "it was never created; nothing to remove"; }

 private:
  SysfsRoot root_;
  MdevRecord record_;
  std::vector<std::string> steps_;
  bool removed_ = false;
};

ChangeKind mdev_change_kind();

// Journal, write `create`, verify the mdev and its type, drop the journal.
// On failure nothing is left: an mdev that appeared is removed again.
Result<MdevDevice> create_mdev(const SysfsRoot& root, const MdevCreatePlan& plan, const Journal& journal,
                               const ExecutionOptions& options);
// Writes 1 to the mdev's `remove` and checks it is gone. The kernel refuses
// (EBUSY) while a VFIO user has it open.
Result<void> remove_mdev(const SysfsRoot& root, const Uuid& uuid);

}  // namespace vfiokit::host

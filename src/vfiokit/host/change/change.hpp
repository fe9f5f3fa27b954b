// SPDX-License-Identifier: Apache-2.0
// One change to the host, as the journaled-change mechanism runs it: plan ->
// journal -> apply step by step -> verify -> on failure undo -> after a
// crash, recover. An operation (binding a group, resizing a BAR, creating an
// mdev, ...) supplies only what is its own: its steps, its record of what
// must be put back, and how to put it back. host/change/executor runs it,
// host/change/recovery finds and undoes what a killed run left.
//
// To add an operation: a class deriving from Change, made either from its
// plan (to apply) or from its journal record (to undo), and a ChangeKind
// naming how to make it from a record, listed where `recover` finds kinds.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/change/execution_options.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

class Change {
 public:
  virtual ~Change() = default;

  virtual ChangeKey key() const = 0;
  // What the messages call the target ("IOMMU group 15", "0000:03:00.0").
  virtual std::string subject() const = 0;
  // What the change does, in a few words ("a bind to vfio-pci").
  virtual std::string describe() const = 0;
  // The operation's record: a JSON object, as text, that its ChangeKind
  // turns back into this change.
  virtual std::string record() const = 0;

  // The steps as printed; run_step(i) carries out steps()[i] (verifying is
  // a step like the others, the last one).
  virtual std::vector<std::string> steps() const = 0;
  virtual Result<void> run_step(size_t index, const ExecutionOptions& options) = 0;

  // Puts back everything the steps changed, from wherever they stopped:
  // only what differs is written, so undoing twice is harmless. Calls
  // `after_write` after each write (fault injection counts them). Returns
  // what could not be put back; empty means the host is as it was, verified.
  virtual std::vector<std::string> undo(const ExecutionOptions& options, const std::function<void()>& after_write) = 0;
  // How the host is after a successful undo, for messages.
  virtual std::string undone() const = 0;

  // Whether a completed change stays in the journal, "held" until its
  // operation gives it back (a bound group until `release`); else the entry
  // goes once the last step is done.
  virtual bool held_when_done() const { return false; }
  // A change whose target the journal already holds: take over the held
  // record (a group bound again keeps its first record of the originals).
  // By default the target is busy.
  virtual Result<void> adopt_held(const JournalEntry& held);
  // How a held change is shown, and how it is given back.
  virtual std::string held_summary() const { return "held (complete)"; }
  // What undo would do now, a line per target, for --dry-run and `recover`.
  virtual std::vector<std::string> preview() const { return {}; }
};

// How `recover` makes a change of one kind back from its journal entry.
struct ChangeKind {
  std::string kind;  // the journal files' prefix
  std::function<Result<std::unique_ptr<Change>>(const SysfsRoot& root, const JournalEntry& entry)> from_entry;
};

}  // namespace vfiokit::host

// Runs a resize plan with the journal written before each step; on any
// failure puts back the original size, the removed functions, every driver
// and driver_override, and explains the kernel's errno in plain words.
#pragma once

#include <string>

#include "base/error.hpp"
#include "host/execution_options.hpp"
#include "host/resize_journal.hpp"

namespace vfiokit::host {

Result<void> apply_resize(const SysfsRoot& root, const ResizePlan& plan, const ResizeJournal& journal,
                          const ExecutionOptions& options);

// Undoes what an interrupted or failed resize changed: the BAR back to its
// original size (only if it changed), removed functions rescanned, drivers
// and overrides restored, verified; then the entry is removed. `recover`
// runs this for every entry it finds.
Result<void> roll_back_resize(const SysfsRoot& root, ResizeEntry entry, const ResizeJournal& journal,
                              const ExecutionOptions& options);

// What the kernel means by a resourceN_resize errno, and what to try.
std::string explain_resize_errno(int err);

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// The lock on a change's target, taken by a state-changing command before
// it reads the host to plan, and held until the change is applied: a plan
// made without it could be stale by the time it runs (another vfiokit bound
// or resized the same thing meanwhile). A busy target is waited for, with a
// note saying so, as udev's boot-time binds of one group's functions do.
#pragma once

#include "vfiokit/host/change/execution_options.hpp"
#include "vfiokit/host/change/journal.hpp"

namespace vfiokit::cli {

// How long a command waits for another vfiokit to finish with its target.
inline constexpr int kLockWaitMs = 60'000;

host::LockWait lock_wait();
Result<host::Journal::Lock> lock_for_planning(const host::Journal& journal, const host::ChangeKey& key);
// The options an executor runs with: the environment's, the wait, and the
// lock taken for planning (if any).
host::ExecutionOptions execution_options(const host::Journal::Lock* held = nullptr);

}  // namespace vfiokit::cli

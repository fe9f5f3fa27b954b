// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/change_lock.hpp"

#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/render/step_progress.hpp"

namespace vfiokit::cli {

host::LockWait lock_wait() {
  return {kLockWaitMs, [](const std::string& why) { print_note(why); }};
}

Result<host::Journal::Lock> lock_for_planning(const host::Journal& journal, const host::ChangeKey& key) {
  return journal.lock(key, lock_wait());
}

host::ExecutionOptions execution_options(const host::Journal::Lock* held) {
  auto options = host::ExecutionOptions::from_environment();
  options.lock_wait = lock_wait();
  options.held_lock = held;
  options.on_step = print_step_event;
  return options;
}

}  // namespace vfiokit::cli

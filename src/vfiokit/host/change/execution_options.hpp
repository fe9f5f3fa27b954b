// SPDX-License-Identifier: Apache-2.0
// How the executors of host changes (bind, release, resize, recover) run:
// the probe timeout, and a fault-injection hook that kills the process after
// a chosen step so tests can prove that `vfiokit recover` repairs any point,
// and one that fails a chosen step so tests can prove the rollback.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include "vfiokit/host/change/journal.hpp"

namespace vfiokit::host {

inline constexpr const char* kKillAfterStepEnv = "VFIOKIT_TEST_KILL_AFTER_STEP";
inline constexpr const char* kFailStepEnv = "VFIOKIT_TEST_FAIL_STEP";

// Whether this build reads $VFIOKIT_TEST_KILL_AFTER_STEP and
// $VFIOKIT_TEST_FAIL_STEP: only one made for
// the tests (cmake -DVFIOKIT_TEST_HOOKS=ON); `vfiokit --version` says so.
bool test_hooks_built();

// A step of a change starting or ending, for a caller that shows progress
// (a rescan can take seconds: the person watching sees it is alive).
struct StepEvent {
  enum class Phase { started, succeeded, failed };
  Phase phase = Phase::started;
  size_t index = 0;  // 0-based
  size_t count = 0;
  std::string_view text;
  std::chrono::steady_clock::duration took{};  // when it ended
};

struct ExecutionOptions {
  // The process sends itself SIGKILL right after step K (1-based) of a plan
  // or a restore. From $VFIOKIT_TEST_KILL_AFTER_STEP, in a build with test
  // hooks only.
  std::optional<size_t> kill_after_step;
  // Step K (1-based) of a plan fails without running, as a write the kernel
  // refuses would, and the change is rolled back. From
  // $VFIOKIT_TEST_FAIL_STEP, in a build with test hooks only.
  std::optional<size_t> fail_step;
  // How long a driver may take to claim a function that the kernel probes
  // asynchronously (after a rescan, or a module load).
  int probe_timeout_ms = 5000;
  // A write to bus/pci/drivers_probe probes synchronously (drivers_probe_store
  // -> device_attach, which never defers to an async probe): when it returns
  // without the driver, only a probe deferred with -EPROBE_DEFER and retried
  // from the kernel's workqueue can still bind it. That is waited for this
  // long, so a driver that refuses the device is reported at once.
  int deferred_probe_ms = 500;
  // The target's lock when the caller took it before planning (the CLI
  // does: a plan made without it could be stale by the time it runs); the
  // executor then runs under it instead of locking again.
  const Journal::Lock* held_lock = nullptr;
  // How long the executor waits for a target another vfiokit is changing.
  LockWait lock_wait;
  // Told as each step starts and ends; an undo is told as one step.
  std::function<void(const StepEvent&)> on_step;
  static ExecutionOptions from_environment();
};

// Counts completed steps and carries out kill_after_step.
class StepCounter {
 public:
  explicit StepCounter(const ExecutionOptions& options) : kill_after_(options.kill_after_step) {}
  void done();

 private:
  std::optional<size_t> kill_after_;
  size_t count_ = 0;
};

}  // namespace vfiokit::host

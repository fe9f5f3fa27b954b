// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/change/execution_options.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

namespace vfiokit::host {

bool test_hooks_built() {
#ifdef VFIOKIT_TEST_HOOKS
  return true;
#else
  return false;
#endif
}

ExecutionOptions ExecutionOptions::from_environment() {
  ExecutionOptions o;
#ifdef VFIOKIT_TEST_HOOKS
  // Only in a build made for the tests (cmake -DVFIOKIT_TEST_HOOKS=ON): a
  // shipped vfiokit must not stop half-way because its environment says so.
  if (const char* k = ::secure_getenv(kKillAfterStepEnv); k && *k) o.kill_after_step = std::strtoul(k, nullptr, 10);
  if (const char* k = ::secure_getenv(kFailStepEnv); k && *k) o.fail_step = std::strtoul(k, nullptr, 10);
#endif
  return o;
}

void StepCounter::done() {
  ++count_;
  if (kill_after_ && count_ == *kill_after_) ::kill(::getpid(), SIGKILL);
}

}  // namespace vfiokit::host

#include "vfiokit/host/change/execution_options.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

namespace vfiokit::host {

ExecutionOptions ExecutionOptions::from_environment() {
  ExecutionOptions o;
  if (const char* k = std::getenv(kKillAfterStepEnv); k && *k) o.kill_after_step = std::strtoul(k, nullptr, 10);
  return o;
}

void StepCounter::done() {
  ++count_;
  if (kill_after_ && count_ == *kill_after_) ::kill(::getpid(), SIGKILL);
}

}  // namespace vfiokit::host

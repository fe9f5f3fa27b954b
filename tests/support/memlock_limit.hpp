// SPDX-License-Identifier: Apache-2.0
// For a forked test child that must be held to RLIMIT_MEMLOCK as an
// unprivileged process is: CAP_IPC_LOCK, which a root test run has and which
// exempts a process from the limit, leaves the effective set, and the limit
// (soft and hard: lowering one is always allowed) becomes `bytes`.
#pragma once

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace vfiokit::testing {

// False when a step failed.
inline bool hold_to_memlock_limit(rlim_t bytes) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[0].effective &= ~(1u << CAP_IPC_LOCK);
  if (syscall(SYS_capset, &header, data) != 0) return false;
  const rlimit rl{bytes, bytes};
  return setrlimit(RLIMIT_MEMLOCK, &rl) == 0;
}

}  // namespace vfiokit::testing

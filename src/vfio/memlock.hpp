// DMA mappings pin memory, and both backends charge the pinned pages to
// RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK (type1's
// vfio_lock_acct, iommufd's incr_user_locked_vm). Checking up front turns
// the kernel's bare ENOMEM into a message that says what to raise.
#pragma once

#include <cstdint>

#include "base/error.hpp"

namespace vfiokit::vfio {

struct MemlockState {
  uint64_t limit = 0;        // RLIMIT_MEMLOCK soft limit, UINT64_MAX when unlimited
  uint64_t locked = 0;       // VmLck of this process
  bool exempt = false;       // CAP_IPC_LOCK in the effective set
};

Result<MemlockState> read_memlock_state();

// Fails when pinning `bytes` more would exceed the limit.
Result<void> check_memlock(uint64_t bytes);

}  // namespace vfiokit::vfio

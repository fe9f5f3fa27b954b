// SPDX-License-Identifier: Apache-2.0
// DMA mappings pin memory, and both backends charge the pinned pages to
// RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK (type1's
// vfio_lock_acct, iommufd's incr_user_locked_vm). Checking up front turns
// the kernel's bare ENOMEM into a message that says what to raise.
#pragma once

#include <atomic>
#include <cstdint>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

struct MemlockState {
  uint64_t limit = 0;   // RLIMIT_MEMLOCK soft limit, UINT64_MAX when unlimited
  uint64_t locked = 0;  // VmLck of this process
  bool exempt = false;  // CAP_IPC_LOCK in the effective set
};

Result<MemlockState> read_memlock_state();

// RLIMIT_MEMLOCK's soft limit, UINT64_MAX when unlimited or unreadable.
uint64_t current_memlock_limit();
// The limit DMA mappings of this process are held to: RLIMIT_MEMLOCK's,
// or UINT64_MAX when it is unlimited or the process has CAP_IPC_LOCK, which
// exempts it (what check_memlock_again accepts too).
uint64_t dma_memlock_limit();

// Fails when pinning `bytes` more would exceed the limit. `pinned_by_us` is
// what this process's backends already pinned and `known_limit` a limit read
// earlier: when the two fit, no system call is made (the map path stays as
// cheap as a raw ioctl); otherwise the limit is read again and
// /proc/self/status gives the exact locked size and the capability.
// Inline: it sits on every DMA map.
Result<void> check_memlock_again(uint64_t bytes, uint64_t pinned_by_us);
inline Result<void> check_memlock(uint64_t bytes, uint64_t pinned_by_us, uint64_t known_limit) {
  if (known_limit == UINT64_MAX || (pinned_by_us <= known_limit && bytes <= known_limit - pinned_by_us)) return {};
  return check_memlock_again(bytes, pinned_by_us);
}

namespace detail {
inline std::atomic<uint64_t> process_pinned{0};
}

// What the backends of this process have pinned for DMA, counted by those
// held to a limit (dma_memlock_limit() below UINT64_MAX when they opened);
// an exempt backend counts nothing, and a check past its fast path asks the
// kernel (VmLck) anyway.
inline uint64_t process_pinned_bytes() { return detail::process_pinned.load(std::memory_order_relaxed); }
inline void add_process_pinned_bytes(int64_t delta) {
  detail::process_pinned.fetch_add(uint64_t(delta), std::memory_order_relaxed);
}

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/backend/memlock.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <fstream>
#include <string>

#include "vfiokit/base/byte_size.hpp"

namespace vfiokit::vfio {

Result<MemlockState> read_memlock_state() {
  MemlockState state;
  rlimit rl{};
  if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0) return fail(Error::from_errno(errno, "RLIMIT_MEMLOCK", "getrlimit failed"));
  state.limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : uint64_t(rl.rlim_cur);
  std::ifstream status("/proc/self/status");
  if (!status) return fail(Error::from_errno(errno, "/proc/self/status", "cannot open"));
  std::string line;
  constexpr unsigned kCapIpcLock = 14;  // include/uapi/linux/capability.h
  while (std::getline(status, line)) {
    unsigned long long value = 0;
    if (std::sscanf(line.c_str(), "VmLck: %llu kB", &value) == 1) state.locked = value * 1024;
    if (std::sscanf(line.c_str(), "CapEff: %llx", &value) == 1) state.exempt = (value >> kCapIpcLock) & 1;
  }
  return state;
}

uint64_t current_memlock_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return uint64_t(rl.rlim_cur);
}

uint64_t dma_memlock_limit() {
  const uint64_t limit = current_memlock_limit();
  if (limit == UINT64_MAX) return limit;
  auto state = read_memlock_state();
  return state && state->exempt ? UINT64_MAX : limit;
}

Result<void> check_memlock_again(uint64_t bytes, uint64_t pinned_by_us) {
  // The limit may have been raised since it was read (prlimit, setrlimit).
  const uint64_t limit = current_memlock_limit();
  if (limit == UINT64_MAX || (pinned_by_us <= limit && bytes <= limit - pinned_by_us)) return {};
  auto state = read_memlock_state();
  if (!state) return fail(state.error());
  if (state->exempt || state->limit == UINT64_MAX) return {};
  if (state->locked <= state->limit && bytes <= state->limit - state->locked) return {};
  return fail(Errc::permission, "RLIMIT_MEMLOCK",
              fmt::format("mapping {} for DMA pins it, and {} are already locked of the {} this process may lock; "
                          "raise the limit (ulimit -l, LimitMEMLOCK= in a systemd unit) or grant CAP_IPC_LOCK",
                          ByteSize(bytes).str(), ByteSize(state->locked).str(), ByteSize(state->limit).str()));
}

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
// An eventfd the kernel signals an interrupt on (VFIO_DEVICE_SET_IRQS).
#pragma once

#include <cstdint>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::vfio {

class EventFd {
 public:
  static Result<EventFd> create();  // non-blocking, close-on-exec

  int fd() const { return fd_.get(); }
  // Waits up to `timeout_ms` for the count to become non-zero, then reads and
  // resets it; returns 0 on timeout.
  Result<uint64_t> wait(int timeout_ms) const;
  // The count so far (reset to 0), without waiting.
  Result<uint64_t> take() const;
  // Raises the count, as the kernel does when the interrupt fires.
  Result<void> signal(uint64_t n = 1) const;

 private:
  explicit EventFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace vfiokit::vfio

// SPDX-License-Identifier: Apache-2.0
// Moving a device's migration stream: out of a saving data fd, into a
// RESUMING one, and in a file `vfiokit migrate save|load` can keep. The
// stream itself is opaque (only its byte order matters, not how it is cut);
// the file adds a header so that a load can refuse a file that is not a
// saved state, or was cut short, before the device sees a byte.
//   offset 0  "VFIOKITM"  magic
//          8  u32 version (1)      12  u32 flags (bit 0: had pre-copy data)
//         16  u64 stream length    24  the stream
#pragma once

#include <cstdint>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/migration/migration.hpp"

namespace vfiokit::vfio {

// Reads the data fd to the end of its stream (read() returns 0) or, with
// `precopy`, until the device has nothing more for now (ENOMSG), writing
// everything to `out_fd`. Returns the bytes moved.
Result<uint64_t> drain_stream(int data_fd, int out_fd, bool precopy, const std::string& subject);
// Writes `length` bytes from `in_fd` to the RESUMING data fd.
Result<uint64_t> feed_stream(int in_fd, uint64_t length, int data_fd, const std::string& subject);

struct SaveReport {
  uint64_t estimated_bytes = 0;  // MIG_DATA_SIZE before STOP_COPY (0 when not offered)
  uint64_t precopy_bytes = 0;
  PrecopyInfo precopy;  // what VFIO_MIG_GET_PRECOPY_INFO said first
  uint64_t stop_copy_bytes = 0;
  uint64_t total() const { return precopy_bytes + stop_copy_bytes; }
};

// RUNNING -> [PRE_COPY: drain what is there] -> STOP_COPY -> drain -> STOP,
// into `out_fd` (a regular file: the header's length is written last). The
// device is left in STOP, as a migration source is; on failure it is moved
// back to RUNNING. Pre-copy is used when the device offers it and
// `use_precopy` is set.
Result<SaveReport> save_device_state(Migration& migration, int out_fd, bool use_precopy, const std::string& subject);
// STOP -> RESUMING -> feed the file's stream -> STOP -> RUNNING. A file that
// is not a saved state, or is shorter than its header says, is refused
// before the device is touched; a stream the device rejects ends with the
// device back in RUNNING (reset if need be).
Result<uint64_t> load_device_state(Migration& migration, int in_fd, const std::string& subject);

}  // namespace vfiokit::vfio

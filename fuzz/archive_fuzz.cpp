// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the snapshot archive reader: any bytes handed to
// `--sysfs-root` as an archive. Whatever they are, the reader unpacks only
// what a snapshot may hold, inside its private directory, within its caps,
// or refuses with an error; never a crash, a write outside or a hang. The
// caps are smaller here so that each run stays fast.
#include <cstddef>
#include <cstdint>

#include "vfiokit/host/archive/archive_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vfiokit::host;
  auto dir = PrivateDir::create();
  if (!dir) __builtin_trap();  // the fuzzer's own temporary directory: nothing to fuzz without it
  ArchiveLimits limits;
  limits.total_bytes = 4 << 20;
  limits.entries = 4096;
  (void)unpack_archive_bytes({data, size}, "fuzz", *dir, limits);
  return 0;
}

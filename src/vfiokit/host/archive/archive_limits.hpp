// SPDX-License-Identifier: Apache-2.0
// How much of an archive vfiokit will unpack. A snapshot of a host with
// 4,096 functions is about 190,000 entries and 25 MB unpacked (a 4 KiB
// config space and some 40 small attributes each), no deeper than the PCI
// hierarchy; anything far beyond that is not a snapshot, and a small archive
// that expands without end must stop before it fills the disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vfiokit::host {

struct ArchiveLimits {
  uint64_t total_bytes = 64ull << 20;  // file contents, unpacked
  uint64_t file_bytes = 1ull << 20;    // one file (a config space is 4 KiB)
  size_t entries = 1u << 18;           // files, directories and links
  size_t depth = 64;                   // path components of one entry
  size_t path_bytes = 4096;            // PATH_MAX
};

}  // namespace vfiokit::host

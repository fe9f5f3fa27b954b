// SPDX-License-Identifier: Apache-2.0
// The zlib functions vfiokit calls, loaded when a compressed pci.ids is
// first read (base/lazy_library.hpp says why). Debian's pci.ids is plain
// text, so most runs never load it; linked at start, libz cost every
// command its mapping and relocation (a dozen page faults on the lab's VM).
// Each is typed from <zlib.h>, so a call checks against the header as a
// direct call would.
#pragma once

#include <zlib.h>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/lazy_library.hpp"

// libz.so.1 is the soname of every zlib 1.x (zlib's Makefile: SHAREDLIBM).
static_assert(ZLIB_VER_MAJOR == 1, "vfiokit loads libz.so.1, the soname of zlib 1");

// clang-format off
#define VFIOKIT_LIBZ_FUNCTIONS(X) \
  X(gzdopen) \
  X(gzread) \
  X(gzclose)
// clang-format on

namespace vfiokit::host {

struct LibZ {
  VFIOKIT_LIBZ_FUNCTIONS(VFIOKIT_LAZY_MEMBER)
};

// The table, loaded once; an error when libz cannot be loaded.
Result<const LibZ*> libz();

}  // namespace vfiokit::host

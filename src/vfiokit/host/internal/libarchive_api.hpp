// SPDX-License-Identifier: Apache-2.0
// The libarchive functions vfiokit calls, loaded when a snapshot archive is
// first read or written (base/lazy_library.hpp says why). Each is typed
// from <archive.h>, so a call checks against the header as a direct call
// would.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/lazy_library.hpp"

// libarchive.so.13 is the 3.x series' ABI (libarchive/build/cmake: the
// soname is the major version plus 10).
static_assert(ARCHIVE_VERSION_NUMBER >= 3000000 && ARCHIVE_VERSION_NUMBER < 4000000,
              "vfiokit loads libarchive.so.13, the soname of libarchive 3");

// clang-format off
#define VFIOKIT_LIBARCHIVE_FUNCTIONS(X) \
  X(archive_error_string) \
  X(archive_read_new) \
  X(archive_read_free) \
  X(archive_read_support_format_tar) \
  X(archive_read_support_filter_gzip) \
  X(archive_read_support_filter_xz) \
  X(archive_read_support_filter_zstd) \
  X(archive_read_support_filter_none) \
  X(archive_read_open_fd) \
  X(archive_read_open_memory) \
  X(archive_read_next_header) \
  X(archive_read_data) \
  X(archive_write_new) \
  X(archive_write_free) \
  X(archive_write_set_format_pax_restricted) \
  X(archive_write_add_filter_gzip) \
  X(archive_write_open_fd) \
  X(archive_write_header) \
  X(archive_write_data) \
  X(archive_write_close) \
  X(archive_entry_new) \
  X(archive_entry_free) \
  X(archive_entry_pathname) \
  X(archive_entry_hardlink) \
  X(archive_entry_filetype) \
  X(archive_entry_size) \
  X(archive_entry_size_is_set) \
  X(archive_entry_symlink) \
  X(archive_entry_set_pathname) \
  X(archive_entry_set_filetype) \
  X(archive_entry_set_perm) \
  X(archive_entry_set_size) \
  X(archive_entry_set_symlink) \
  X(archive_entry_set_uid) \
  X(archive_entry_set_gid) \
  X(archive_entry_set_mtime)
// clang-format on

namespace vfiokit::host {

struct LibArchive {
  VFIOKIT_LIBARCHIVE_FUNCTIONS(VFIOKIT_LAZY_MEMBER)
};

// The table, loaded once; an error when libarchive cannot be loaded.
Result<const LibArchive*> libarchive();

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// Small, errno-preserving file reads used by the sysfs readers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// Appends up to `limit` bytes read from `fd` to `out`; 0, or the errno of a
// failed read. With `short_read_ends`, a read that returns less than asked
// is the end: a regular file and a sysfs attribute (kernfs hands out the
// whole value at once) give all they have, which saves a second read of
// every small file. Without it, reads go on until EOF, as a pipe needs.
int read_fd(int fd, std::string& out, size_t limit, bool short_read_ends);

// Reads up to `limit` bytes. sysfs attribute files report a size that need
// not match what a read returns, so this reads until EOF.
Result<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path, size_t limit);

// A file that someone else may have planted (a journal entry, a udev
// rule): read only if it is a regular file with no link at its end
// (O_NOFOLLOW | O_NONBLOCK: a link is not followed, a FIFO never blocks)
// of at most `limit` bytes; nullopt when there is no file. `what` says what
// it should be, for the errors ("a journal entry").
Result<std::optional<std::string>> read_regular_file(const std::filesystem::path& path, size_t limit,
                                                     std::string_view what);

// Replaces `path` atomically and durably: write a temporary file, fsync,
// rename, fsync the directory (created if missing). A journal written this
// way is either the old or the new record after a crash, never a mix. The
// temporary file has a new random name, created exclusively (mkstemp), so
// nothing planted beside `path` (a symlink, a FIFO) is ever followed or
// truncated; the rename replaces a link at `path` itself, not its target.
// The file gets `mode` (0600 unless said otherwise), whatever the umask.
// Missing directories above it are created (a journal's, a rules
// directory), unless `parents` says the caller's path must exist as given.
enum class Parents { create, must_exist };
Result<void> write_file_durably(const std::filesystem::path& path, const std::string& text, mode_t mode = 0600,
                                Parents parents = Parents::create);

}  // namespace vfiokit::host

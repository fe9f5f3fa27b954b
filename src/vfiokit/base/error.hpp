// SPDX-License-Identifier: Apache-2.0
// The one error type of vfiokit: what failed (a device, a file, an ioctl, an
// input), a plain message, and the errno text when a system call failed.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>

namespace vfiokit {

enum class Errc {
  invalid_argument,  // the caller's input is not acceptable (a BDF, a size, a flag)
  malformed,         // data read from somewhere is not what its format says
  out_of_range,      // an access outside the data that exists
  not_found,         // a device, file or group that does not exist
  permission,        // the kernel or the file system refused access
  io,                // a system call failed for another reason
  unsupported,       // the device or kernel does not offer the feature
};

class Error {
 public:
  Error(Errc code, std::string subject, std::string message, int sys_errno = 0)
      : code_(code), subject_(std::move(subject)), message_(std::move(message)), sys_errno_(sys_errno) {}

  // A system-call failure; the errno text is added by describe().
  static Error from_errno(int err, std::string subject, std::string message);

  Errc code() const { return code_; }
  const std::string& subject() const { return subject_; }
  const std::string& message() const { return message_; }
  int sys_errno() const { return sys_errno_; }
  std::optional<uint32_t> offset() const { return offset_; }

  Error& at_offset(uint32_t offset) & {
    offset_ = offset;
    return *this;
  }
  Error&& at_offset(uint32_t offset) && {
    offset_ = offset;
    return std::move(*this);
  }

  // One line: "subject: message (at 0x104): No such device".
  std::string describe() const;

 private:
  Errc code_;
  std::string subject_;
  std::string message_;
  int sys_errno_ = 0;
  std::optional<uint32_t> offset_;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string subject, std::string message) {
  return std::unexpected(Error(code, std::move(subject), std::move(message)));
}
inline std::unexpected<Error> fail(Error error) { return std::unexpected(std::move(error)); }

const char* errc_name(Errc code);

}  // namespace vfiokit

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/error.hpp"

#include <fmt/format.h>

#include <cstring>

namespace vfiokit {

Error Error::from_errno(int err, std::string subject, std::string message) {
  Errc code = Errc::io;
  if (err == ENOENT || err == ENODEV || err == ENXIO) code = Errc::not_found;
  if (err == EACCES || err == EPERM) code = Errc::permission;
  if (err == ENOTTY || err == EOPNOTSUPP) code = Errc::unsupported;
  return Error(code, std::move(subject), std::move(message), err);
}

std::string Error::describe() const {
  std::string out = subject_.empty() ? message_ : fmt::format("{}: {}", subject_, message_);
  if (offset_) out += fmt::format(" (at 0x{:x})", *offset_);
  if (sys_errno_ != 0) out += fmt::format(": {}", std::strerror(sys_errno_));
  return out;
}

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::malformed: return "malformed";
    case Errc::out_of_range: return "out_of_range";
    case Errc::not_found: return "not_found";
    case Errc::permission: return "permission";
    case Errc::io: return "io";
    case Errc::unsupported: return "unsupported";
  }
  return "unknown";
}

}  // namespace vfiokit

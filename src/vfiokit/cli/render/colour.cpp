// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/colour.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "vfiokit/cli/render/printable_streams.hpp"

namespace vfiokit::cli {
namespace {

bool terminal_wants_colour(int fd) {
  if (!::isatty(fd)) return false;
  const char* no_colour = ::secure_getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  const char* term = ::secure_getenv("TERM");
  return !term || std::strcmp(term, "dumb") != 0;
}

const char* sequence(Colour colour) {
  switch (colour) {
    case Colour::good: return "\033[32m";
    case Colour::bad: return "\033[31m";
    case Colour::warning: return "\033[33m";
    case Colour::heading: return "\033[1m";
  }
  return "";
}

}  // namespace

bool colour_on(FILE* stream) {
  static const bool out = terminal_wants_colour(STDOUT_FILENO);
  static const bool err = terminal_wants_colour(STDERR_FILENO);
  return stream == stdout ? out : stream == stderr ? err : false;
}

void print_coloured(FILE* stream, Colour colour, std::string_view text) {
  if (!colour_on(stream)) {
    std::fwrite(text.data(), 1, text.size(), stream);
    return;
  }
  write_raw(stream, sequence(colour));
  std::fwrite(text.data(), 1, text.size(), stream);
  write_raw(stream, "\033[0m");
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// Colour for people at a terminal, never for programs: only when the stream
// is a terminal, TERM is not "dumb", and NO_COLOR is unset or empty
// (https://no-color.org). JSON is never coloured.
#pragma once

#include <cstdio>
#include <string_view>

namespace vfiokit::cli {

enum class Colour { good, bad, warning, heading };

bool colour_on(FILE* stream);

// `text` in colour when colour_on(stream), plain otherwise. The text still
// passes the escaping filter (printable_streams.hpp); only the colour's own
// control sequences do not.
void print_coloured(FILE* stream, Colour colour, std::string_view text);

}  // namespace vfiokit::cli

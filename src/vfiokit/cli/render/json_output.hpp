// SPDX-License-Identifier: Apache-2.0
// How every command prints a JSON document: indented by two, and text that
// is not UTF-8 (a sysfs attribute holds whatever bytes were written to it)
// replaced by U+FFFD rather than ending the program, which is what
// nlohmann::json's dump does by default (type_error 316).
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/render/json_writer.hpp"
#include "vfiokit/cli/render/printable_streams.hpp"

namespace vfiokit::cli {

template <class Json>
void print_json(const Json& document) {
  std::string text = document.dump(2, ' ', false, Json::error_handler_t::replace);
  escape_terminal_controls(text);
  fmt::print("{}\n", text);
}

// A document written as it went, in the same layout. Straight to stdout:
// formatting megabytes through fmt would copy them once more, and it is
// printable as written (JsonWriter::drain).
inline void print_json(const JsonWriter& document) {
  write_raw(stdout, document.text());
  std::fputc('\n', stdout);
}

}  // namespace vfiokit::cli

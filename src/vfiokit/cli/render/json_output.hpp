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

namespace vfiokit::cli {

template <class Json>
void print_json(const Json& document) {
  fmt::print("{}\n", document.dump(2, ' ', false, Json::error_handler_t::replace));
}

// A document written as it went, in the same layout. Straight to stdout:
// formatting megabytes through fmt would copy them once more.
inline void print_json(const JsonWriter& document) {
  std::fwrite(document.text().data(), 1, document.text().size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace vfiokit::cli

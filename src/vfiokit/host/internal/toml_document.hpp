// SPDX-License-Identifier: Apache-2.0
// Reading the TOML files people write for vfiokit (passthrough profiles,
// the device plugin's configuration): toml++ reports a syntax error by
// throwing, and vfiokit reports every error as an Error naming the file
// and line, so the parse is wrapped once here.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/internal/toml.hpp"

namespace vfiokit::host {

// "SOURCE:LINE: what" for what is wrong at `where`.
inline Error toml_error_at(const std::string& source, const toml::source_region& where, const std::string& what) {
  return Error(Errc::invalid_argument, fmt::format("{}:{}", source, where.begin.line), what);
}

// The document's top table, or an Error naming the line where the text
// stops being TOML.
inline Result<toml::table> parse_toml_document(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(toml_error_at(source, e.source(), fmt::format("not TOML: {}", e.description())));
  }
}

}  // namespace vfiokit::host

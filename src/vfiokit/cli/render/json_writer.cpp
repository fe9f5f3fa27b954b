// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/json_writer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/render/printable_streams.hpp"

namespace vfiokit::cli {
namespace {

// Bytes nlohmann writes as they are: printable ASCII but the quote and the
// backslash. Anything else (control characters, UTF-8, bytes that are not
// text) is left to nlohmann's own escaping, so the two writers cannot differ.
bool plain(std::string_view s) {
  for (const unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

void quoted(std::string& out, std::string_view s) {
  if (plain(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  // As print_json: bytes that are not UTF-8 become U+FFFD.
  const size_t from = out.size();
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_terminal_controls(out, from);
}

}  // namespace

void escape_terminal_controls(std::string& json, size_t from) {
  // DEL is one byte; a C1 control is 0xC2 followed by 0x80..0x9F in UTF-8.
  size_t at = json.find_first_of("\x7f\xc2", from);
  if (at == std::string::npos) return;
  std::string out = json.substr(0, at);
  for (; at < json.size(); ++at) {
    const auto c = static_cast<unsigned char>(json[at]);
    if (c == 0x7f) {
      out += "\\u007f";
    } else if (c == 0xc2 && at + 1 < json.size() && static_cast<unsigned char>(json[at + 1]) >= 0x80 &&
               static_cast<unsigned char>(json[at + 1]) <= 0x9f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(json[++at]));
    } else {
      out += static_cast<char>(c);
    }
  }
  json = std::move(out);
}

void JsonWriter::drain(std::FILE* out, size_t at_least) {
  if (out_.size() < at_least) return;
  write_raw(out, out_);
  out_.clear();  // the capacity stays for the next piece
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  Level& l = levels_.back();
  out_ += l.empty ? "\n" : ",\n";
  l.empty = false;
  out_.append(2 * levels_.size(), ' ');
}

void JsonWriter::open(char bracket, bool object) {
  before_value();
  out_ += bracket;
  levels_.push_back({object, true});
}

JsonWriter& JsonWriter::close(char bracket) {
  const bool empty = levels_.back().empty;
  levels_.pop_back();
  if (!empty) {
    out_ += '\n';
    out_.append(2 * levels_.size(), ' ');
  }
  out_ += bracket;
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  open('{', true);
  return *this;
}
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() {
  open('[', false);
  return *this;
}
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  quoted(out_, name);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  quoted(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::signed_value(int64_t n) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  return *this;
}

JsonWriter& JsonWriter::unsigned_value(uint64_t n) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  return *this;
}

}  // namespace vfiokit::cli

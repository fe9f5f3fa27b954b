// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/render/printable_streams.hpp"

namespace vfiokit::cli {
namespace {

// Bytes nlohmann writes as they are: printable ASCII but the quote and the
// backslash. Anything else (control characters, UTF-8, bytes that are not
// text) is left to nlohmann's own escaping, so the two writers cannot differ.
bool plain(std::string_view s) {
  // Eight bytes at a time, with the bit tricks of "Bit Twiddling Hacks"
  // (Anderson): a byte with its high bit set (above 0x7e, with DEL below),
  // one less than 0x20, or one equal to '"', '\\' or DEL. A borrow that
  // crosses into a higher byte comes only from a byte that matched, so the
  // answer for the word is exact. Names and values are most of a large
  // host's JSON, and a byte at a time this was a fifth of `list --json`.
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  const auto below = [](uint64_t x, uint64_t n) { return (x - kOnes * n) & ~x & kHigh; };
  const auto equal = [&](uint64_t x, uint64_t b) { return below(x ^ (kOnes * b), 1); };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if ((x & kHigh) | below(x, 0x20) | equal(x, '"') | equal(x, '\\') | equal(x, 0x7f)) return false;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// Copies `s` to `p`; a piece of up to 16 bytes (most keys, separators,
// numbers) with two overlapping moves of fixed size rather than a call.
[[gnu::always_inline]] inline char* put(char* p, std::string_view s) {
  const char* from = s.data();
  const size_t n = s.size();
  if (n >= 8 && n <= 16) {
    std::memcpy(p, from, 8);
    std::memcpy(p + n - 8, from + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    std::memcpy(p, from, 4);
    std::memcpy(p + n - 4, from + n - 4, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) p[i] = from[i];
  } else {
    std::memcpy(p, from, n);
  }
  return p + n;
}

// Enough for the deepest indent any vfiokit document has; deeper ones are
// written a slice at a time.
constexpr std::string_view kSpaces = "                                                                ";

char* indent(char* p, size_t n) {
  for (; n > kSpaces.size(); n -= kSpaces.size()) p = put(p, kSpaces);
  return put(p, kSpaces.substr(0, n));
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

char* JsonWriter::room(size_t n) {
  // The text's string is kept at its capacity and used_ says how much of
  // it is text: a piece is then one comparison and plain stores, where a
  // growth of a std::string zeroes what it adds.
  if (out_.size() - used_ < n) out_.resize(std::max({2 * out_.size(), used_ + n, size_t{4096}}));
  char* at = out_.data() + used_;
  used_ += n;
  return at;
}

void JsonWriter::drain(std::FILE* out, size_t at_least) {
  if (used_ < at_least) return;
  write_raw(out, text());
  used_ = 0;  // the buffer stays for the next piece
}

void JsonWriter::before_value(std::string_view a, std::string_view b, std::string_view c) {
  const bool separated = !after_key_ && !levels_.empty();
  after_key_ = false;
  bool comma = false;
  size_t depth = 0;
  if (separated) {
    Level& l = levels_.back();
    comma = !l.empty;
    l.empty = false;
    depth = 2 * levels_.size();
  }
  char* p = room((separated ? comma + 1 + depth : 0) + a.size() + b.size() + c.size());
  if (separated) {
    if (comma) *p++ = ',';
    *p++ = '\n';
    p = indent(p, depth);
  }
  put(put(put(p, a), b), c);
}

void JsonWriter::quoted_value(std::string_view s, bool colon) {
  if (plain(s)) {
    before_value("\"", s, colon ? "\": " : "\"");
    return;
  }
  // As print_json: bytes that are not UTF-8 become U+FFFD.
  std::string escaped = nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_terminal_controls(escaped);
  before_value(escaped, colon ? ": " : "");
}

void JsonWriter::open(char bracket, bool object) {
  before_value({&bracket, 1});
  levels_.push_back({object, true});
}

JsonWriter& JsonWriter::close(char bracket) {
  const bool empty = levels_.back().empty;
  levels_.pop_back();
  const size_t depth = 2 * levels_.size();
  char* p = room(empty ? 1 : 2 + depth);
  if (!empty) {
    *p++ = '\n';
    p = indent(p, depth);
  }
  *p = bracket;
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
  quoted_value(name, true);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  quoted_value(text, false);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value(b ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value("null");
  return *this;
}

JsonWriter& JsonWriter::signed_value(int64_t n) {
  char buf[24];
  before_value({buf, std::to_chars(buf, buf + sizeof buf, n).ptr});
  return *this;
}

JsonWriter& JsonWriter::unsigned_value(uint64_t n) {
  char buf[24];
  before_value({buf, std::to_chars(buf, buf + sizeof buf, n).ptr});
  return *this;
}

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
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
  const auto bad = [&](uint64_t x) {
    return (x & kHigh) | below(x, 0x20) | equal(x, '"') | equal(x, '\\') | equal(x, 0x7f);
  };
  const size_t n = s.size();
  uint64_t x;
  if (n < 8) {
    // A short one (most keys) as one word of its bytes, some read twice,
    // where a byte at a time was most of a key's cost.
    if (n == 0) return true;
    if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, s.data(), 4);
      std::memcpy(&hi, s.data() + n - 4, 4);
      x = lo | (uint64_t{hi} << 32);
    } else {
      const auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(s[i])}; };
      x = (byte(0) * kOnes & ~uint64_t{0xffff00}) | byte(n / 2) << 8 | byte(n - 1) << 16;
    }
    return !bad(x);
  }
  uint64_t any = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&x, s.data() + i, 8);
    any |= bad(x);
  }
  // The last eight bytes, overlapping what the loop saw.
  std::memcpy(&x, s.data() + n - 8, 8);
  return !(any | bad(x));
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

// A line break and its indent: one copy of fixed size (kBreakCopy bytes,
// inside the slack room() keeps past every piece) for any indent up to
// kBreakCopy - 1, where a copy of the indent's own size was a tenth of a
// large document's time; deeper ones are written a slice at a time.
constexpr size_t kBreakCopy = 64;
constexpr std::string_view kSpaces = "                                                                ";
constexpr std::array<char, kBreakCopy> kBreak = [] {
  std::array<char, kBreakCopy> b{};
  b.fill(' ');
  b[0] = '\n';
  return b;
}();

char* line_break(char* p, size_t depth) {
  if (depth < kBreakCopy) {
    std::memcpy(p, kBreak.data(), kBreakCopy);
    return p + 1 + depth;
  }
  *p++ = '\n';
  for (; depth > kSpaces.size(); depth -= kSpaces.size()) p = put(p, kSpaces);
  return put(p, kSpaces.substr(0, depth));
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
  // Past the n bytes there is always kBreakCopy more, for line_break's
  // copy of fixed size.
  if (out_.size() - used_ < n + kBreakCopy)
    out_.resize(std::max({2 * out_.size(), used_ + n + kBreakCopy, size_t{4096}}));
  char* at = out_.data() + used_;
  used_ += n;
  return at;
}

void JsonWriter::drain(std::FILE* out, size_t at_least) {
  if (used_ < at_least) return;
  write_raw(out, text());
  used_ = 0;  // the buffer stays for the next piece
}

char* JsonWriter::start_value(size_t n) {
  const bool separated = !after_key_ && !levels_.empty();
  after_key_ = false;
  if (!separated) return room(n);
  Level& l = levels_.back();
  const bool comma = !l.empty;
  l.empty = false;
  const size_t depth = 2 * levels_.size();
  char* p = room(comma + 1 + depth + n);
  if (comma) *p++ = ',';
  return line_break(p, depth);
}

void JsonWriter::before_value(std::string_view a, std::string_view b, std::string_view c) {
  put(put(put(start_value(a.size() + b.size() + c.size()), a), b), c);
}

void JsonWriter::quoted_value(std::string_view s, bool colon) {
  if (plain(s)) {
    // The quotes and the colon as stores of their own: through put() they
    // were pieces of a byte or three copied a byte at a time, a tenth of
    // writing a large host's document.
    char* p = start_value(s.size() + (colon ? 4 : 2));
    *p++ = '"';
    p = put(p, s);
    if (colon) std::memcpy(p, "\": ", 3);
    else *p = '"';
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
  if (!empty) p = line_break(p, depth);
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
  if (b) std::memcpy(start_value(4), "true", 4);
  else std::memcpy(start_value(5), "false", 5);
  return *this;
}

JsonWriter& JsonWriter::null() {
  std::memcpy(start_value(4), "null", 4);
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

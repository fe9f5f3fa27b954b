// SPDX-License-Identifier: Apache-2.0
// JSON written as it is produced, in exactly the layout of print_json
// (nlohmann's dump with a two-space indent): a document of thousands of
// functions needs no tree of values, which for `list --json` on a large
// host cost more than reading sysfs did.
#pragma once
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfiokit::cli {

// Writes DEL and the C1 controls (U+0080..U+009F) in the JSON text `json`,
// from `from` on, as \u escapes. nlohmann's dump leaves them raw, and a
// terminal acts on them (U+009B is CSI); a JSON string holds them as
// escapes with the same meaning, so a reader parses the same value. The
// text is then printable by base/printable's rule throughout. `json` is a
// dump's output: valid UTF-8, those code points only inside strings.
void escape_terminal_controls(std::string& json, size_t from = 0);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next member's name; its value follows.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool b);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& value(T n) {
    if constexpr (std::is_signed_v<T>) return signed_value(n);
    else return unsigned_value(n);
  }
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  template <class T>
  JsonWriter& value(const std::vector<T>& items) {
    begin_array();
    for (const auto& i : items) value(i);
    return end_array();
  }
  JsonWriter& null();

  // The document so far, or since the last drain; complete once every
  // container is closed and nothing was drained.
  std::string_view text() const { return {out_.data(), used_}; }
  // Writes text() to `out` once it holds `at_least` bytes, and forgets it:
  // a document of thousands of functions then needs a buffer of one piece,
  // not megabytes of memory touched once. The text is printable by
  // construction (escape_terminal_controls), so it goes out as it is
  // (write_raw): passing megabytes through stdout's escaping filter only to
  // find nothing to escape was a sixth of `groups --json` on a large host.
  void drain(std::FILE* out, size_t at_least = 64 * 1024);

 private:
  JsonWriter& signed_value(int64_t n);
  JsonWriter& unsigned_value(uint64_t n);
  // The separator and indent an element of the open container needs, then
  // `a`, `b` and `c`, in one growth of the text: a large host's document
  // is some 100,000 such pieces, each now checked for room once.
  void before_value(std::string_view a = {}, std::string_view b = {}, std::string_view c = {});
  // The separator and indent, then room for `n` bytes of the value, which
  // the caller fills.
  char* start_value(size_t n);
  // A string's quoted form after the separator; `colon` for a key.
  void quoted_value(std::string_view s, bool colon);
  void open(char bracket, bool object);
  JsonWriter& close(char bracket);

  struct Level {
    bool object;
    bool empty;
  };
  // `n` more bytes of text, for the caller to fill.
  char* room(size_t n);
  std::string out_;  // the text, then room to grow into
  size_t used_ = 0;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace vfiokit::cli

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
  const std::string& text() const { return out_; }
  // Writes text() to `out` once it holds `at_least` bytes, and forgets it:
  // a document of thousands of functions then needs a buffer of one piece,
  // not megabytes of memory touched once.
  void drain(std::FILE* out, size_t at_least = 64 * 1024);

 private:
  JsonWriter& signed_value(int64_t n);
  JsonWriter& unsigned_value(uint64_t n);
  // The separator and indent an element of the open container needs.
  void before_value();
  void open(char bracket, bool object);
  JsonWriter& close(char bracket);

  struct Level {
    bool object;
    bool empty;
  };
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace vfiokit::cli

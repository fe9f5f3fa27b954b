// SPDX-License-Identifier: Apache-2.0
// The streamed writer against nlohmann's dump, which every other command
// prints through (with DEL and the C1 controls escaped, as print_json
// does): the same document must come out byte for byte.
#include "vfiokit/cli/render/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "vfiokit/base/printable.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

void write(JsonWriter& w, const json& j) {
  switch (j.type()) {
    case json::value_t::object:
      w.begin_object();
      for (const auto& [k, v] : j.items()) {
        w.key(k);
        write(w, v);
      }
      w.end_object();
      break;
    case json::value_t::array:
      w.begin_array();
      for (const auto& v : j) write(w, v);
      w.end_array();
      break;
    case json::value_t::string: w.value(j.get_ref<const std::string&>()); break;
    case json::value_t::boolean: w.value(j.get<bool>()); break;
    case json::value_t::number_integer: w.value(j.get<int64_t>()); break;
    case json::value_t::number_unsigned: w.value(j.get<uint64_t>()); break;
    case json::value_t::null: w.null(); break;
    default: FAIL() << "the writer has no floating point";
  }
}

std::string dumped(const json& j) {
  std::string text = j.dump(2, ' ', false, json::error_handler_t::replace);
  escape_terminal_controls(text);
  return text;
}

// What stdout's escaping filter would make of `text` (newlines pass).
std::string filtered(std::string_view text) {
  std::string out;
  append_printable_text(out, text, true);
  return out;
}

std::string written(const json& j) {
  JsonWriter w;
  write(w, j);
  return std::string(w.text());
}

TEST(JsonWriter, LaysOutADocumentAsDumpDoes) {
  const json doc = {{"schema", "vfiokit.list/1"},
                    {"empty_array", json::array()},
                    {"empty_object", json::object()},
                    {"nested", {{"a", {1, 2, {{"b", nullptr}}}}, {"c", json::array({json::array()})}}},
                    {"negative", -1},
                    {"large", UINT64_MAX},
                    {"flags", {true, false}}};
  EXPECT_EQ(written(doc), dumped(doc));
}

TEST(JsonWriter, IndentsDeepDocumentsAsDumpDoes) {
  // Past the depth a line break is copied at in one piece (32 levels).
  for (int depth : {30, 31, 32, 33, 70}) {
    json doc = {{"leaf", "x"}};
    for (int i = 0; i < depth; ++i) doc = i % 2 ? json{{"k", doc}, {"n", i}} : json::array({doc, i});
    EXPECT_EQ(written(doc), dumped(doc)) << depth;
  }
}

TEST(JsonWriter, EscapesAsDumpDoes) {
  // Quotes, backslashes, control characters, DEL, UTF-8, and bytes that are
  // not text at all (a driver_override holds whatever was written to it).
  for (const std::string s : {"plain", "quote\"back\\slash", "tab\tnl\ncr\r\x01\x1f", "del\x7f", "caf\xc3\xa9",
                              "bad\xff\xfe", "cut\xe2\x82", "\xc0\xaf overlong", ""}) {
    const json doc = {{s, s}, {"list", {s}}};
    EXPECT_EQ(written(doc), dumped(doc)) << s;
  }
}

// Strings are tested eight bytes at a time: every byte value, at every
// place in a word and in the bytes after the last whole word, must be
// written as dump writes it.
TEST(JsonWriter, EveryByteAtEveryPlaceIsEscapedAsDumpDoes) {
  for (int byte = 0; byte < 256; ++byte)
    for (size_t at = 0; at < 19; ++at) {
      std::string s(19, 'a');
      s[at] = static_cast<char>(byte);
      const json doc = {{s, s}};
      ASSERT_EQ(written(doc), dumped(doc)) << "byte " << byte << " at " << at;
    }
}

// DEL and the C1 controls leave as \u escapes, which a reader parses back
// into the same string; other UTF-8 and the rest of the text are untouched.
TEST(JsonWriter, DelAndC1ControlsAreWrittenAsEscapes) {
  const std::string s = "a\x7f b\xc2\x85 c\xc2\x9b d\xc2\xa0 caf\xc3\xa9";
  JsonWriter w;
  w.value(s);
  EXPECT_EQ(w.text(), "\"a\\u007f b\\u0085 c\\u009b d\xc2\xa0 caf\xc3\xa9\"");
  EXPECT_EQ(json::parse(w.text()).get<std::string>(), s);
  EXPECT_EQ(filtered(w.text()), w.text());
}

// Random documents of random bytes, nested a few levels.
json random_value(std::mt19937& rng, int depth) {
  // The top is always a container; below four levels, only scalars.
  std::uniform_int_distribution<int> kind(depth == 0 ? 5 : 0, depth > 3 ? 4 : 6);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng);
    case 3: return std::uniform_int_distribution<uint64_t>()(rng);
    case 4: {
      std::string s(std::uniform_int_distribution<size_t>(0, 12)(rng), '\0');
      // Mostly printable, sometimes anything.
      for (auto& c : s)
        c = static_cast<char>(std::uniform_int_distribution<int>(0, 3)(rng)
                                  ? std::uniform_int_distribution<int>(0x20, 0x7e)(rng)
                                  : std::uniform_int_distribution<int>(0, 255)(rng));
      return s;
    }
    case 5: {
      json a = json::array();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n)
        o[random_value(rng, 4).dump(-1, ' ', false, json::error_handler_t::replace)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonWriter, RandomDocumentsComeOutAsDumpWritesThem) {
  std::mt19937 rng(20261201);
  size_t bytes = 0;
  for (int i = 0; i < 2000; ++i) {
    const json doc = random_value(rng, 0);
    bytes += dumped(doc).size();
    ASSERT_EQ(written(doc), dumped(doc)) << "document " << i;
    // Printable as written, so drain may bypass stdout's escaping filter.
    ASSERT_EQ(filtered(written(doc)), written(doc)) << "document " << i;
  }
  EXPECT_GT(bytes, 100'000u);  // the documents were not all trivial
}

// Drained in pieces (here after every element, at any size), the bytes
// that reach the file are the whole document.
TEST(JsonWriter, ADrainedDocumentReachesTheFileWhole) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    json doc = json::object();
    doc["items"] = json::array();
    for (int k = 0; k < 20; ++k) doc["items"].push_back(random_value(rng, 1));
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    const size_t at_least = rng() % 64;
    for (const auto& item : doc["items"]) {
      write(w, item);
      w.drain(f, at_least);
    }
    w.end_array().end_object();
    std::fwrite(w.text().data(), 1, w.text().size(), f);
    std::string back(static_cast<size_t>(std::ftell(f)), '\0');
    std::rewind(f);
    ASSERT_EQ(std::fread(back.data(), 1, back.size(), f), back.size());
    std::fclose(f);
    ASSERT_EQ(back, dumped(doc)) << "document " << i;
  }
}

}  // namespace
}  // namespace vfiokit::cli

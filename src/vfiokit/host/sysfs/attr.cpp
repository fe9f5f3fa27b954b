// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/attr.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <functional>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {
namespace {

constexpr size_t kAttrLimit = 64 * 1024;

std::optional<std::string> without_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

Result<std::optional<uint64_t>> parse_hex(const std::optional<std::string>& text, uint64_t max,
                                          const std::function<std::string()>& subject) {
  if (!text) return std::optional<uint64_t>();
  std::string_view s = *text;
  if (s.starts_with("0x")) s.remove_prefix(2);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || value > max)
    return fail(Errc::malformed, subject(),
                fmt::format("'{}' is not a hex value up to {:#x}", printable(text->substr(0, 64)), max));
  return std::optional<uint64_t>(value);
}

Result<std::optional<int64_t>> parse_int(const std::optional<std::string>& text,
                                         const std::function<std::string()>& subject) {
  if (!text) return std::optional<int64_t>();
  const std::string& s = *text;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 10);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return fail(Errc::malformed, subject(), fmt::format("'{}' is not a decimal number", printable(s.substr(0, 64))));
  return std::optional<int64_t>(value);
}

}  // namespace

Result<std::optional<std::string>> read_attr(const std::filesystem::path& file) {
  // Opening is the existence check: one system call, not two.
  auto bytes = read_file_bytes(file, kAttrLimit);
  if (!bytes && bytes.error().sys_errno() == ENOENT) return std::optional<std::string>();
  if (!bytes) return std::unexpected(bytes.error());
  return without_newline(std::string(bytes->begin(), bytes->end()));
}

Result<std::optional<uint64_t>> read_hex_attr(const std::filesystem::path& file, uint64_t max) {
  auto text = read_attr(file);
  if (!text) return std::unexpected(text.error());
  return parse_hex(*text, max, [&] { return file.string(); });
}

Result<std::optional<int64_t>> read_int_attr(const std::filesystem::path& file) {
  auto text = read_attr(file);
  if (!text) return std::unexpected(text.error());
  return parse_int(*text, [&] { return file.string(); });
}

std::optional<std::string> read_link_name(const std::filesystem::path& link) {
  // Through its directory, so that in a confined tree the way to the link
  // stays beneath the root.
  auto dir = SysfsDir::open(link.parent_path());
  if (!dir) return std::nullopt;
  return read_link_name(*dir, link.filename().string());
}

Result<std::optional<std::string>> read_attr(const SysfsDir& dir, std::string_view name) {
  auto text = dir.read(name, kAttrLimit);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<std::string>();
  return without_newline(std::move(**text));
}

Result<std::optional<uint64_t>> read_hex_attr(const SysfsDir& dir, std::string_view name, uint64_t max) {
  auto text = read_attr(dir, name);
  if (!text) return std::unexpected(text.error());
  return parse_hex(*text, max, [&] { return dir / name; });
}

Result<std::optional<int64_t>> read_int_attr(const SysfsDir& dir, std::string_view name) {
  auto text = read_attr(dir, name);
  if (!text) return std::unexpected(text.error());
  return parse_int(*text, [&] { return dir / name; });
}

std::optional<std::string> read_link_name(const SysfsDir& dir, std::string_view name) {
  auto target = dir.link_target(name);
  if (!target) return std::nullopt;
  const auto slash = target->rfind('/');
  return slash == std::string::npos ? *target : target->substr(slash + 1);
}

}  // namespace vfiokit::host

#include "host/sysfs_attr.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>

#include "host/file_io.hpp"

namespace vfiokit::host {
namespace {

constexpr size_t kAttrLimit = 64 * 1024;

}  // namespace

Result<std::optional<std::string>> read_attr(const std::filesystem::path& file) {
  // Opening is the existence check: one system call, not two.
  auto bytes = read_file_bytes(file, kAttrLimit);
  if (!bytes && bytes.error().sys_errno() == ENOENT) return std::optional<std::string>();
  if (!bytes) return std::unexpected(bytes.error());
  std::string text(bytes->begin(), bytes->end());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<uint64_t>> read_hex_attr(const std::filesystem::path& file, uint64_t max) {
  auto text = read_attr(file);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<uint64_t>();
  std::string_view s = **text;
  if (s.starts_with("0x")) s.remove_prefix(2);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || value > max)
    return fail(Errc::malformed, file.string(), fmt::format("'{}' is not a hex value up to {:#x}", **text, max));
  return std::optional<uint64_t>(value);
}

Result<std::optional<int64_t>> read_int_attr(const std::filesystem::path& file) {
  auto text = read_attr(file);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<int64_t>();
  const std::string& s = **text;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 10);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return fail(Errc::malformed, file.string(), fmt::format("'{}' is not a decimal number", s));
  return std::optional<int64_t>(value);
}

std::optional<std::string> read_link_name(const std::filesystem::path& link) {
  std::error_code ec;
  const auto target = std::filesystem::read_symlink(link, ec);
  if (ec) return std::nullopt;
  return target.filename().string();
}

}  // namespace vfiokit::host

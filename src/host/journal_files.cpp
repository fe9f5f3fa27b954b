#include "host/journal_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "host/file_io.hpp"

namespace vfiokit::host {

namespace {
constexpr std::string_view kSuffix = ".json";
}

std::vector<std::filesystem::path> journal_files(const std::filesystem::path& dir, std::string_view prefix) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() > prefix.size() + kSuffix.size() && name.starts_with(prefix) && name.ends_with(kSuffix))
      out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string journal_file_key(const std::filesystem::path& file, std::string_view prefix) {
  const std::string name = file.filename().string();
  return name.substr(prefix.size(), name.size() - prefix.size() - kSuffix.size());
}

Result<std::optional<std::string>> read_journal_text(const std::filesystem::path& file) {
  auto bytes = read_file_bytes(file, 1 << 20);
  if (!bytes && bytes.error().sys_errno() == ENOENT) return std::optional<std::string>();
  if (!bytes) return fail(bytes.error());
  return std::optional<std::string>(std::string(bytes->begin(), bytes->end()));
}

Result<void> remove_journal_file(const std::filesystem::path& file) {
  if (::unlink(file.c_str()) != 0 && errno != ENOENT)
    return fail(Error::from_errno(errno, file.string(), "cannot remove"));
  return {};
}

}  // namespace vfiokit::host

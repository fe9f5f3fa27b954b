// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/tree_path.hpp"

namespace vfiokit::host {

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const auto c = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!c.empty() && c != ".") out.push_back(c);
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

Result<std::vector<std::string>> tree_path_components(std::string_view path, const std::string& subject) {
  if (path.starts_with('/')) return fail(Errc::malformed, subject, "an absolute path; a snapshot holds relative ones");
  if (path.find('\0') != std::string_view::npos) return fail(Errc::malformed, subject, "a NUL byte in a path");
  std::vector<std::string> out;
  for (const auto c : path_components(path)) {
    if (c == "..") return fail(Errc::malformed, subject, "a '..' in a path leaves the snapshot");
    out.emplace_back(c);
  }
  return out;
}

bool link_stays_inside(std::string_view target, size_t link_depth) {
  if (target.empty() || target.starts_with('/') || target.find('\0') != std::string_view::npos) return false;
  size_t ups = 0;
  bool named = false;
  for (const auto c : path_components(target)) {
    if (c != "..") named = true;
    else if (named) return false;
    else ++ups;
  }
  return ups <= link_depth;
}

}  // namespace vfiokit::host

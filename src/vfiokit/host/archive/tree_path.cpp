#include "vfiokit/host/archive/tree_path.hpp"

namespace vfiokit::host {
namespace {

// Calls `each` with every component of a '/'-separated path, empty ones too.
template <class F>
void for_each_component(std::string_view path, F&& each) {
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    each(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

}  // namespace

Result<std::vector<std::string>> tree_path_components(std::string_view path, const std::string& subject) {
  if (path.starts_with('/')) return fail(Errc::malformed, subject, "an absolute path; a snapshot holds relative ones");
  if (path.find('\0') != std::string_view::npos) return fail(Errc::malformed, subject, "a NUL byte in a path");
  std::vector<std::string> out;
  bool parent = false;
  for_each_component(path, [&](std::string_view c) {
    if (c == "..") parent = true;
    else if (!c.empty() && c != ".") out.emplace_back(c);
  });
  if (parent) return fail(Errc::malformed, subject, "a '..' in a path leaves the snapshot");
  return out;
}

bool link_stays_inside(std::string_view target, size_t link_depth) {
  if (target.empty() || target.starts_with('/') || target.find('\0') != std::string_view::npos) return false;
  size_t ups = 0;
  bool named = false;
  bool ok = true;
  for_each_component(target, [&](std::string_view c) {
    if (c.empty() || c == ".") return;
    if (c == "..") {
      if (named) ok = false;
      ++ups;
    } else {
      named = true;
    }
  });
  return ok && ups <= link_depth;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/host_apertures.hpp"

#include <charconv>

#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {

namespace {

constexpr size_t kIomemLimit = 1 << 20;  // a large server's /proc/iomem is some tens of KiB

// "START-END : PCI Bus DDDD:BB" with no indentation (a top-level entry).
std::optional<Resource> aperture_of(std::string_view line) {
  if (line.empty() || line.front() == ' ') return std::nullopt;
  const size_t dash = line.find('-'), colon = line.find(" : ");
  if (dash == std::string_view::npos || colon == std::string_view::npos || dash > colon) return std::nullopt;
  if (!line.substr(colon + 3).starts_with("PCI Bus ")) return std::nullopt;
  uint64_t start = 0, end = 0;
  const auto a = std::from_chars(line.data(), line.data() + dash, start, 16);
  const auto b = std::from_chars(line.data() + dash + 1, line.data() + colon, end, 16);
  if (a.ec != std::errc() || a.ptr != line.data() + dash || b.ec != std::errc() || b.ptr != line.data() + colon)
    return std::nullopt;
  if (end <= start) return std::nullopt;  // zeroed for an unprivileged reader
  return Resource{start, end, kResourceMem};
}

template <typename F>
void each_line(std::string_view text, F f) {
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    f(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::string pci_aperture_lines(std::string_view iomem) {
  std::string out;
  each_line(iomem, [&](std::string_view line) {
    if (!line.empty() && line.front() != ' ' && line.find(" : PCI Bus ") != std::string_view::npos)
      out.append(line).push_back('\n');
  });
  return out;
}

std::vector<Resource> parse_host_apertures(std::string_view iomem) {
  std::vector<Resource> out;
  each_line(iomem, [&](std::string_view line) {
    if (auto a = aperture_of(line)) out.push_back(*a);
  });
  return out;
}

Result<std::optional<std::string>> read_iomem(const SysfsRoot& root) {
  const std::filesystem::path file =
      root.path() == "/sys" ? std::filesystem::path("/proc/iomem") : root.path().parent_path() / "iomem";
  return read_regular_file(file, kIomemLimit, "the host's memory map (iomem)");
}

Result<std::vector<Resource>> read_host_apertures(const SysfsRoot& root) {
  auto text = read_iomem(root);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::vector<Resource>{};
  return parse_host_apertures(**text);
}

}  // namespace vfiokit::host

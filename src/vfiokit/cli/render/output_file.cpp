// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/output_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "vfiokit/base/error.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/archive/private_dir.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/host/tools/run_tool.hpp"

namespace vfiokit::cli {

bool write_output_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  // vfiokit runs as root, often in shared directories: a link planted at
  // the path is replaced, never followed (write_file_durably).
  if (auto ok = host::write_file_durably(path, text, 0644, host::Parents::must_exist); !ok) {
    print_error(ok.error());
    return false;
  }
  return true;
}

bool write_svg_file(const std::string& path, const std::string& dot) {
  auto dir = host::PrivateDir::create();
  if (!dir) return print_error(dir.error()), false;
  const auto dot_file = dir->path() / "groups.dot";
  const auto svg_file = dir->path() / "groups.svg";
  std::ofstream(dot_file, std::ios::binary) << dot;
  auto drawn = host::run_tool({"dot", "-Tsvg", "-o", svg_file.string(), dot_file.string()}, path);
  if (!drawn) {
    print_error(Error(
        Errc::io, path,
        fmt::format("Graphviz 'dot' could not draw the picture (apt install graphviz): {}", drawn.error().message())));
    return false;
  }
  auto svg = host::read_regular_file(svg_file, 64 << 20, "the drawn picture");
  if (!svg || !*svg) return print_error(Error(Errc::io, path, "Graphviz 'dot' drew nothing")), false;
  return write_output_file(path, **svg);
}

}  // namespace vfiokit::cli

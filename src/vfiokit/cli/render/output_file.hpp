// SPDX-License-Identifier: Apache-2.0
// Files a command writes besides its output (`groups --dot FILE`): "-" is
// standard output, as for most Unix tools; an error names the path the
// user gave, never a file vfiokit made on the way. A link at the path is
// replaced, not followed.
#pragma once

#include <string>

namespace vfiokit::cli {

bool write_output_file(const std::string& path, const std::string& text);

// DOT drawn as SVG by Graphviz's `dot`, in a private directory, then
// written as write_output_file does.
bool write_svg_file(const std::string& path, const std::string& dot);

}  // namespace vfiokit::cli

// SPDX-License-Identifier: Apache-2.0
// Writing sysfs attributes: one write(2) of the whole value, as the kernel's
// store functions expect, with the errno kept for the caller to explain.
#pragma once

#include <filesystem>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

Result<void> write_attr(const std::filesystem::path& file, std::string_view value);

}  // namespace vfiokit::host

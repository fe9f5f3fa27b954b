// SPDX-License-Identifier: Apache-2.0
#include "support/figures.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace vfiokit::testing {

void Figures::add(const std::string& key, double value) const {
  const char* path = std::getenv("VFIOKIT_FIGURES");
  if (!path || !*path) return;
  // Appended with one write each, so benchmarks run side by side may share
  // the file; never through a link.
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path);
    std::exit(1);
  }
  char line[256];
  const int n = std::snprintf(line, sizeof line, "%s %.6g\n", key.c_str(), value);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof line || ::write(fd, line, static_cast<size_t>(n)) != n) {
    std::perror(path);
    std::exit(1);
  }
  ::close(fd);
}

}  // namespace vfiokit::testing

// SPDX-License-Identifier: Apache-2.0
// Unpacks a snapshot archive with the library, as every command does, and
// prints what it made (each entry's type, mode and owner) before the
// private directory is removed, or the error. tests/hostile/cases.py looks
// at what a hostile archive became.
//
//   vfiokit_unpack_probe ARCHIVE
#include <ftw.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "vfiokit/host/archive/archive_reader.hpp"

namespace {

size_t g_root_length = 0;

int show(const char* path, const struct stat* st, int, struct FTW*) {
  const char type = S_ISDIR(st->st_mode) ? 'd' : S_ISLNK(st->st_mode) ? 'l' : S_ISREG(st->st_mode) ? 'f' : '?';
  const std::string rel = std::string(path).substr(g_root_length);
  std::printf("%c %04o %u %s\n", type, st->st_mode & 07777, st->st_uid, rel.empty() ? "." : rel.c_str() + 1);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: vfiokit_unpack_probe ARCHIVE\n");
    return 2;
  }
  auto dir = vfiokit::host::PrivateDir::create();
  if (!dir) {
    std::fprintf(stderr, "error: %s\n", dir.error().describe().c_str());
    return 1;
  }
  auto unpacked = vfiokit::host::unpack_archive(argv[1], *dir);
  if (!unpacked) {
    std::printf("error: %s\n", unpacked.error().describe().c_str());
    return 1;
  }
  g_root_length = dir->path().string().size();
  ::nftw(dir->path().c_str(), show, 64, FTW_PHYS);
  return 0;
}

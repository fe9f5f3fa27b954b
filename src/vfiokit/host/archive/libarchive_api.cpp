// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libarchive_api.hpp"

#include "vfiokit/base/lazy_library.hpp"

namespace vfiokit::host {
namespace {

Result<LibArchive> load() {
  static LazyLibrary library("libarchive.so.13");
  LibArchive table;
#define VFIOKIT_LOAD(name) VFIOKIT_RESOLVE(library, table, name);
  VFIOKIT_LIBARCHIVE_FUNCTIONS(VFIOKIT_LOAD)
#undef VFIOKIT_LOAD
  return table;
}

}  // namespace

Result<const LibArchive*> libarchive() {
  static const Result<LibArchive> table = load();  // thread-safe once
  if (!table) return std::unexpected(table.error());
  return &*table;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libarchive_api.hpp"

#include "vfiokit/base/lazy_library.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libarchive(LazyLibrary& library, LibArchive& table) {
#define VFIOKIT_LOAD(name) VFIOKIT_RESOLVE(library, table, name);
  VFIOKIT_LIBARCHIVE_FUNCTIONS(VFIOKIT_LOAD)
#undef VFIOKIT_LOAD
  return {};
}

}  // namespace

Result<const LibArchive*> libarchive() { return load_table_once<LibArchive>("libarchive.so.13", fill_libarchive); }

}  // namespace vfiokit::host

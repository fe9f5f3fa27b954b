// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libz_api.hpp"

#include "vfiokit/base/lazy_library.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libz(LazyLibrary& library, LibZ& table) {
#define VFIOKIT_LOAD(name) VFIOKIT_RESOLVE(library, table, name);
  VFIOKIT_LIBZ_FUNCTIONS(VFIOKIT_LOAD)
#undef VFIOKIT_LOAD
  return {};
}

}  // namespace

Result<const LibZ*> libz() { return load_table_once<LibZ>("libz.so.1", fill_libz); }

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libarchive_api.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libarchive(LazyLibrary& library, LibArchive& table) {
  VFIOKIT_LIBARCHIVE_FUNCTIONS(VFIOKIT_RESOLVE_EACH)
  return {};
}

}  // namespace

Result<const LibArchive*> libarchive() { return load_table_once<LibArchive>("libarchive.so.13", fill_libarchive); }

}  // namespace vfiokit::host

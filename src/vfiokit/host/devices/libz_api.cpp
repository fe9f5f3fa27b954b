// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libz_api.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libz(LazyLibrary& library, LibZ& table) {
  VFIOKIT_LIBZ_FUNCTIONS(VFIOKIT_RESOLVE_EACH)
  return {};
}

}  // namespace

Result<const LibZ*> libz() { return load_table_once<LibZ>("libz.so.1", fill_libz); }

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libxml2_api.hpp"

#include "vfiokit/base/lazy_library.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libxml2(LazyLibrary& library, LibXml2& table) {
#define VFIOKIT_LOAD(name) VFIOKIT_RESOLVE(library, table, name);
  VFIOKIT_LIBXML2_FUNCTIONS(VFIOKIT_LOAD)
#undef VFIOKIT_LOAD
  return library.resolve("xmlFree", table.free);
}

}  // namespace

Result<const LibXml2*> libxml2() { return load_table_once<LibXml2>("libxml2.so.2", fill_libxml2); }

}  // namespace vfiokit::host

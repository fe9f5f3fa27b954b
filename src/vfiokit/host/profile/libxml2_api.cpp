// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libxml2_api.hpp"

namespace vfiokit::host {
namespace {

Result<void> fill_libxml2(LazyLibrary& library, LibXml2& table) {
  VFIOKIT_LIBXML2_FUNCTIONS(VFIOKIT_RESOLVE_EACH)
  return library.resolve("xmlFree", table.free);
}

}  // namespace

Result<const LibXml2*> libxml2() { return load_table_once<LibXml2>("libxml2.so.2", fill_libxml2); }

}  // namespace vfiokit::host

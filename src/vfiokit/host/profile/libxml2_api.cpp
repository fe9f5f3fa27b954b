// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/internal/libxml2_api.hpp"

#include "vfiokit/base/lazy_library.hpp"

namespace vfiokit::host {
namespace {

Result<LibXml2> load() {
  static LazyLibrary library("libxml2.so.2");
  LibXml2 table;
#define VFIOKIT_LOAD(name) VFIOKIT_RESOLVE(library, table, name);
  VFIOKIT_LIBXML2_FUNCTIONS(VFIOKIT_LOAD)
#undef VFIOKIT_LOAD
  if (auto r = library.resolve("xmlFree", table.free); !r) return std::unexpected(r.error());
  return table;
}

}  // namespace

Result<const LibXml2*> libxml2() {
  static const Result<LibXml2> table = load();  // thread-safe once
  if (!table) return std::unexpected(table.error());
  return &*table;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
// A C library opened when a command first needs it, not when the process
// starts. libarchive (snapshots) and libxml2 (libvirt's domain XML) bring
// eleven more shared objects with them, ICU among them; mapping and
// relocating those at every start was most of `vfiokit --version` and of
// `vfiokit list` on a small host, which need neither.
#pragma once

#include <mutex>
#include <string>

#include "vfiokit/base/error.hpp"

namespace vfiokit {

class LazyLibrary {
 public:
  // `soname` is the name the dynamic linker would have recorded
  // ("libarchive.so.13"), searched for as it would.
  explicit LazyLibrary(const char* soname) : soname_(soname) {}

  // The address of `name`, the library being opened on the first call
  // (once, whichever thread asks). An error names the library and says why
  // the dynamic linker refused.
  Result<void*> symbol(const char* name);

  // Resolves `name` into `out`, typed as the library's header declares it.
  template <class T>
  Result<void> resolve(const char* name, T*& out) {
    auto address = symbol(name);
    if (!address) return std::unexpected(address.error());
    out = reinterpret_cast<T*>(*address);
    return {};
  }

 private:
  const char* soname_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;
};

// A table of one library's functions, made once for the process by `fill`
// (which resolves each entry, VFIOKIT_RESOLVE) on the first call: the
// library's own loader is then one line (host/internal/libarchive_api.hpp).
template <class Table>
Result<const Table*> load_table_once(const char* soname, Result<void> (*fill)(LazyLibrary&, Table&)) {
  static LazyLibrary library(soname);  // one per table type, as the table
  static const Result<Table> table = [&]() -> Result<Table> {
    Table t;
    if (auto filled = fill(library, t); !filled) return std::unexpected(filled.error());
    return t;
  }();
  if (!table) return std::unexpected(table.error());
  return &*table;
}

}  // namespace vfiokit

// A table of functions is declared from an X-macro list of their names
// (host/internal/libarchive_api.hpp): VFIOKIT_LAZY_MEMBER makes each a
// member typed from the library's header, so a call checks against the
// header as a direct call would, and VFIOKIT_RESOLVE_EACH, inside a fill
// function whose parameters are `library` and `table`, resolves each.
#define VFIOKIT_LAZY_MEMBER(name) decltype(&::name) name = nullptr;
#define VFIOKIT_RESOLVE_EACH(name) VFIOKIT_RESOLVE(library, table, name);

// Inside a function returning Result<void>: resolves `table.name` from
// `library` under the symbol's own name, or returns the error.
#define VFIOKIT_RESOLVE(library, table, name)                                                                        \
  do {                                                                                                               \
    if (auto resolved = (library).resolve(#name, (table).name); !resolved) return std::unexpected(resolved.error()); \
  } while (0)

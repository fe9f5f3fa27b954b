// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/lazy_library.hpp"

#include <dlfcn.h>

namespace vfiokit {

Result<void*> LazyLibrary::symbol(const char* name) {
  std::call_once(once_, [this] {
    // RTLD_LOCAL: its symbols stay its own, as a library linked at start
    // would not interpose anything either. RTLD_NOW: a missing symbol is an
    // error here rather than a crash later.
    handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (!handle_) error_ = ::dlerror();
  });
  if (!handle_) return std::unexpected(Error(Errc::unsupported, soname_, "cannot be loaded: " + error_));
  ::dlerror();
  void* address = ::dlsym(handle_, name);
  if (!address) {
    const char* why = ::dlerror();
    return std::unexpected(
        Error(Errc::unsupported, soname_, std::string("has no ") + name + (why ? ": " + std::string(why) : "")));
  }
  return address;
}

}  // namespace vfiokit

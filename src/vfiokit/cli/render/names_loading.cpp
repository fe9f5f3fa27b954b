// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/names_loading.hpp"

#include <system_error>

namespace vfiokit::cli {

NamesLoading::NamesLoading() {
  const auto load = [] {
    auto names = std::make_unique<host::PciNames>();
    names->preload();
    return names;
  };
  try {
    loading_ = std::async(std::launch::async, load);
  } catch (const std::system_error&) {
    loading_ = std::async(std::launch::deferred, load);  // no thread to spare: loaded when first needed
  }
}

host::PciNames& NamesLoading::get() {
  if (!loaded_) loaded_ = loading_.get();
  return *loaded_;
}

}  // namespace vfiokit::cli

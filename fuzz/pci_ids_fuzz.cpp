// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the pci.ids reader (host/pci_ids.hpp), fed any
// text: indexing and every kind of lookup must stay inside the text, and a
// name found is a non-empty piece of one line. A violation is a crash here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "vfiokit/host/devices/pci_ids.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check(std::string_view text, std::optional<std::string_view> name) {
  if (!name) return;
  require(!name->empty());
  require(name->data() >= text.data() && name->data() + name->size() <= text.data() + text.size());
  require(name->find_first_of("\r\n") == std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vfiokit::host::PciIds;
  const PciIds ids(std::string(reinterpret_cast<const char*>(data), size));
  // The names found point into the index's own copy of the text.
  const std::string_view text = ids.text();
  // IDs to ask for: the first bytes, and every ID the text could hold at
  // the start of a line is reached by the seeds' mutations.
  const auto u16 = [&](size_t at) -> uint16_t {
    return at + 1 < size ? static_cast<uint16_t>(data[at] << 8 | data[at + 1]) : static_cast<uint16_t>(at);
  };
  for (size_t k = 0; k < 4; ++k) {
    const uint16_t v = u16(2 * k), d = u16(2 * k + 8);
    check(text, ids.vendor(v));
    check(text, ids.device(v, d));
    check(text, ids.subsystem(v, d, u16(16), u16(18)));
    check(text, ids.generic_subsystem(v, d));
    check(text, ids.device_class(static_cast<uint8_t>(v)));
    check(text, ids.subclass(static_cast<uint8_t>(v), static_cast<uint8_t>(d)));
  }
  return 0;
}

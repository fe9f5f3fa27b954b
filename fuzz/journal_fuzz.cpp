// libFuzzer target over the journals `vfiokit recover` reads after a crash:
// the binding, resize and mdev journals. A damaged or hand-edited file
// must be an error naming it, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/binding_journal.hpp"
#include "host/mdev_changes.hpp"
#include "host/resize_journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto e = vfiokit::host::journal_from_json(text, "fuzz")) (void)vfiokit::host::journal_to_json(*e);
  if (auto e = vfiokit::host::resize_entry_from_json(text, "fuzz")) (void)vfiokit::host::resize_entry_to_json(*e);
  if (auto e = vfiokit::host::mdev_entry_from_json(text, "fuzz")) (void)vfiokit::host::mdev_entry_to_json(*e);
  return 0;
}

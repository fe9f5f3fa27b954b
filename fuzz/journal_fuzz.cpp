// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the journal `vfiokit recover` reads after a crash:
// the envelope every entry shares, and the records of the binding, resize
// and mdev operations inside it. A damaged, hand-edited or hostile file
// must be an error naming it, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/mdev/create_operation.hpp"
#include "vfiokit/host/rebar/resize_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vfiokit::host;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string record = text;
  if (auto e = journal_entry_from_json(text, "fuzz")) {
    (void)journal_entry_to_json(*e);
    record = e->record;
  }
  if (auto r = binding_record_from_json(record, "fuzz")) (void)binding_record_to_json(*r);
  if (auto r = resize_record_from_json(record, "fuzz")) (void)resize_record_to_json(*r);
  if (auto r = mdev_record_from_json(record, "fuzz")) (void)mdev_record_to_json(*r);
  return 0;
}

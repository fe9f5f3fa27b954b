// SPDX-License-Identifier: Apache-2.0
// What the journal records of a BAR resize (kind "resize", file
// resize-BDF.json): the original and new size, which functions were
// removed, and every driver and driver_override to put back, so that
// `vfiokit recover` can undo a resize a crash or kill -9 interrupted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/rebar/resize_plan.hpp"

namespace vfiokit::host {

inline constexpr const char* kResizeKind = "resize";

struct ResizeRecord {
  pci::Bdf bdf;
  unsigned bar = 0;
  ByteSize from, to;
  std::optional<unsigned> from_encoding, to_encoding;
  bool rehearse = false;
  std::vector<AffectedFunction> functions;  // the target first
  std::vector<pci::Bdf> removed;
  std::optional<pci::Bdf> reenumerate;  // removed after the size write so that the rescan re-sizes its windows
  static ResizeRecord from_plan(const ResizePlan& plan);
};

ChangeKey resize_key(const pci::Bdf& bdf);
std::string resize_record_to_json(const ResizeRecord& record);
// Every BDF and driver name is checked as new input would be.
Result<ResizeRecord> resize_record_from_json(const std::string& text, const std::string& subject);

}  // namespace vfiokit::host

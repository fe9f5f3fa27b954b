// The journal of a BAR resize, next to the binding journal (one JSON file
// per function, resize-BDF.json), written durably before every step: after
// a crash or kill -9, `vfiokit recover` knows the original size, which
// functions were removed, and every driver and driver_override to put back.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "host/resize_plan.hpp"

namespace vfiokit::host {

enum class ResizeState {
  resizing,     // the plan is running (or was interrupted)
  rolling_back, // a failure or `recover` is putting the originals back
};

struct ResizeEntry {
  pci::Bdf bdf;
  unsigned bar = 0;
  ByteSize from, to;
  std::optional<unsigned> from_encoding, to_encoding;
  bool rehearse = false;
  ResizeState state = ResizeState::resizing;
  size_t next_step = 0;
  std::vector<std::string> steps;
  std::vector<AffectedFunction> functions;
  std::vector<pci::Bdf> removed;
  long pid = 0;
  static ResizeEntry from_plan(const ResizePlan& plan);
};

class ResizeJournal {
 public:
  explicit ResizeJournal(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path file(const pci::Bdf& bdf) const;
  Result<void> write(const ResizeEntry& entry) const;
  Result<std::optional<ResizeEntry>> read(const pci::Bdf& bdf) const;
  Result<std::vector<ResizeEntry>> list() const;
  Result<void> remove(const pci::Bdf& bdf) const;

 private:
  std::filesystem::path dir_;
};

std::string resize_entry_to_json(const ResizeEntry& entry);
Result<ResizeEntry> resize_entry_from_json(const std::string& text, const std::string& subject);

}  // namespace vfiokit::host

// The files of vfiokit's journal directory, shared by the binding, resize
// and mdev journals: one JSON file per operation (group-N.json,
// resize-BDF.json, mdev-UUID.json), written with write_file_durably.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace vfiokit::host {

// DIR/PREFIX*.json, sorted by name; none when DIR does not exist.
std::vector<std::filesystem::path> journal_files(const std::filesystem::path& dir, std::string_view prefix);
// The middle of "PREFIX<name>.json".
std::string journal_file_key(const std::filesystem::path& file, std::string_view prefix);
// A journal file's text (at most 1 MiB); nullopt when it does not exist.
Result<std::optional<std::string>> read_journal_text(const std::filesystem::path& file);
// Removes a journal file; one that is already gone is fine.
Result<void> remove_journal_file(const std::filesystem::path& file);

}  // namespace vfiokit::host

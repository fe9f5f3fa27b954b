// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/profile_change.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/rebar/resize_operation.hpp"

namespace vfiokit::host {

namespace {

using nlohmann::json;

constexpr size_t kMaxParts = 256;

// The kinds a profile is made of, for turning its record back into parts.
std::vector<ChangeKind> part_kinds() { return {resize_change_kind(), binding_change_kind(), setting_change_kind()}; }

}  // namespace

ChangeKey profile_key(const std::string& name) { return {kProfileKind, name}; }

ProfileChange::ProfileChange(const SysfsRoot& root, const ProfilePlan& plan) : name_(plan.name) {
  for (const auto& r : plan.resizes) parts_.push_back({kResizeKind, std::make_unique<ResizeChange>(root, r)});
  for (const auto& b : plan.binds) parts_.push_back({kBindingKind, std::make_unique<BindChange>(root, b)});
  for (const auto& s : plan.settings) parts_.push_back({kSettingKind, std::make_unique<SettingChange>(root, s)});
}

ProfileChange::ProfileChange(std::string name, std::vector<Part> parts)
    : name_(std::move(name)), parts_(std::move(parts)) {}

std::string ProfileChange::describe() const {
  size_t resizes = 0, binds = 0, settings = 0;
  for (const auto& p : parts_) (p.kind == kResizeKind ? resizes : p.kind == kBindingKind ? binds : settings)++;
  return fmt::format("an up of {} resize(s), {} group bind(s) and {} setting(s)", resizes, binds, settings);
}

std::string ProfileChange::record() const {
  json parts = json::array();
  for (const auto& p : parts_) {
    const ChangeKey k = p.change->key();
    parts.push_back(
        {{"kind", p.kind}, {"id", k.id}, {"record", json::parse(p.change->record())}, {"steps", p.change->steps()}});
  }
  return json{{"name", name_}, {"parts", parts}}.dump();
}

std::vector<std::string> ProfileChange::steps() const {
  std::vector<std::string> out;
  for (const auto& p : parts_)
    for (const auto& s : p.change->steps()) out.push_back(fmt::format("[{}] {}", p.change->subject(), s));
  return out;
}

Result<void> ProfileChange::run_step(size_t index, const ExecutionOptions& options) {
  for (const auto& p : parts_) {
    const size_t n = p.change->steps().size();
    if (index < n) return p.change->run_step(index, options);
    index -= n;
  }
  return fail(Errc::invalid_argument, subject(), "has no such step to run");
}

std::vector<std::string> ProfileChange::undo(const ExecutionOptions& options,
                                             const std::function<void()>& after_write) {
  // Newest first: the groups go back to their drivers before the resizes
  // are undone (which need the functions without vfio-pci), as `up` did
  // the reverse. A part that never ran finds nothing to put back.
  std::vector<std::string> problems;
  for (auto it = parts_.rbegin(); it != parts_.rend(); ++it)
    for (const auto& p : it->change->undo(options, after_write))
      problems.push_back(fmt::format("{}: {}", it->change->subject(), p));
  return problems;
}

std::vector<ChangeKey> ProfileChange::part_keys() const {
  std::vector<ChangeKey> keys;
  for (const auto& p : parts_) keys.push_back(p.change->key());
  std::sort(keys.begin(), keys.end(),
            [](const ChangeKey& a, const ChangeKey& b) { return a.file_name() < b.file_name(); });
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::vector<std::string> ProfileChange::preview() const {
  std::vector<std::string> out;
  for (auto it = parts_.rbegin(); it != parts_.rend(); ++it)
    for (const auto& line : it->change->preview()) out.push_back(line);
  return out;
}

ChangeKind profile_change_kind() {
  return {kProfileKind, [](const SysfsRoot& root, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
            const auto bad = [&](const std::string& why) { return fail(Errc::malformed, e.key.file_name(), why); };
            const json j = json::parse(e.record, nullptr, false);
            if (!j.is_object() || !j.contains("name") || !j.at("name").is_string() || !j.contains("parts") ||
                !j.at("parts").is_array())
              return bad("its record is not a profile's");
            const std::string name = j.at("name").get<std::string>();
            if (auto ok = check_profile_name(name); !ok || profile_key(name) != e.key)
              return bad(fmt::format("records profile \"{}\"", name));
            if (j.at("parts").size() > kMaxParts) return bad("records too many parts");
            const auto kinds = part_kinds();
            std::vector<ProfileChange::Part> parts;
            for (const auto& p : j.at("parts")) {
              if (!p.is_object() || !p.contains("kind") || !p.at("kind").is_string() || !p.contains("id") ||
                  !p.at("id").is_string() || !p.contains("record") || !p.at("record").is_object() ||
                  !p.contains("steps") || !p.at("steps").is_array())
                return bad("records a part that is not one");
              const std::string kind = p.at("kind").get<std::string>();
              const auto k =
                  std::find_if(kinds.begin(), kinds.end(), [&](const ChangeKind& x) { return x.kind == kind; });
              if (k == kinds.end()) return bad(fmt::format("records a part of kind \"{}\"", kind));
              JournalEntry part;
              part.key = {kind, p.at("id").get<std::string>()};
              part.record = p.at("record").dump();
              for (const auto& s : p.at("steps")) {
                if (!s.is_string()) return bad("records a step that is not text");
                part.steps.push_back(s.get<std::string>());
              }
              auto change = k->from_entry(root, part);
              if (!change) return fail(change.error());
              parts.push_back({kind, std::move(*change)});
            }
            return std::make_unique<ProfileChange>(name, std::move(parts));
          }};
}

Result<void> apply_profile(const SysfsRoot& root, const ProfilePlan& plan, const Journal& journal,
                           const ExecutionOptions& options) {
  ProfileChange change(root, plan);
  return apply_change(change, journal, options);
}

Result<std::optional<JournalEntry>> read_profile_entry(const Journal& journal, const std::string& name) {
  if (auto ok = check_profile_name(name); !ok) return fail(ok.error());
  return journal.read(profile_key(name));
}

Result<void> take_down_profile(const SysfsRoot& root, const JournalEntry& entry, const Journal& journal,
                               const ExecutionOptions& options) {
  auto change = profile_change_kind().from_entry(root, entry);
  if (!change) return fail(change.error());
  return undo_change(**change, entry, journal, options);
}

}  // namespace vfiokit::host

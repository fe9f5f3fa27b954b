// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/setting_change.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {

using nlohmann::json;

std::filesystem::path file_of(const SysfsRoot& root, const SettingRecord& r) {
  return root.device_dir(r.bdf) / r.attribute;
}

// What the kernel accepts (Documentation/ABI/testing/sysfs-bus-pci):
// d3cold_allowed 0 or 1; reset_method names of lowercase letters and '_',
// space-separated, or empty (no reset allowed).
bool valid_value(const std::string& attribute, const std::string& value) {
  if (attribute == "d3cold_allowed") return value == "0" || value == "1";
  return value.size() <= 128 && std::all_of(value.begin(), value.end(),
                                            [](unsigned char c) { return std::islower(c) || c == '_' || c == ' '; });
}

Result<std::string> current(const SysfsRoot& root, const SettingRecord& r) {
  auto v = read_attr(file_of(root, r));
  if (!v) return fail(v.error());
  if (!*v) return fail(Errc::not_found, r.bdf.str(), fmt::format("has no {}", r.attribute));
  return **v;
}

}  // namespace

bool known_setting(const std::string& attribute) {
  return attribute == "d3cold_allowed" || attribute == "reset_method";
}

Result<std::optional<SettingRecord>> plan_setting(const SysfsRoot& root, const pci::Bdf& bdf,
                                                  const std::string& attribute, const std::string& value) {
  if (!known_setting(attribute) || !valid_value(attribute, value))
    return fail(Errc::invalid_argument, bdf.str(), fmt::format("{} cannot be \"{}\"", attribute, value));
  SettingRecord r{bdf, attribute, "", value};
  auto now = read_attr(file_of(root, r));
  if (!now) return fail(now.error());
  if (!*now)
    return fail(Errc::unsupported, bdf.str(),
                fmt::format("has no {} (the kernel offers it only {})", attribute,
                            attribute == "d3cold_allowed" ? "with ACPI power management"
                                                          : "for a function with at least one reset method"));
  r.original = **now;
  if (!valid_value(attribute, r.original))
    return fail(Errc::malformed, file_of(root, r).string(), fmt::format("reads \"{}\"", r.original));
  if (r.original == value) return std::optional<SettingRecord>();
  return std::optional<SettingRecord>(r);
}

SettingChange::SettingChange(SysfsRoot root, SettingRecord record)
    : root_(std::move(root)), record_(std::move(record)) {}

std::string SettingChange::subject() const { return fmt::format("{} {}", record_.bdf.str(), record_.attribute); }

std::string SettingChange::describe() const {
  return fmt::format("setting {} to \"{}\"", record_.attribute, record_.value);
}

std::string SettingChange::record() const {
  return json{{"bdf", record_.bdf.str()},
              {"attribute", record_.attribute},
              {"original", record_.original},
              {"value", record_.value}}
      .dump();
}

std::vector<std::string> SettingChange::steps() const {
  return {fmt::format("set {} of {} to \"{}\" (was \"{}\")", record_.attribute, record_.bdf.str(), record_.value,
                      record_.original),
          fmt::format("verify: {} of {} reads \"{}\"", record_.attribute, record_.bdf.str(), record_.value)};
}

Result<void> SettingChange::run_step(size_t index, const ExecutionOptions&) {
  if (index == 0) return root_.write(file_of(root_, record_), record_.value);
  auto now = current(root_, record_);
  if (!now) return fail(now.error());
  if (*now != record_.value)
    return fail(Errc::io, subject(), fmt::format("reads \"{}\" after writing \"{}\"", *now, record_.value));
  return {};
}

std::vector<std::string> SettingChange::undo(const ExecutionOptions&, const std::function<void()>& after_write) {
  auto now = current(root_, record_);
  if (!now) return {now.error().describe()};
  if (*now == record_.original) return {};
  if (auto ok = root_.write(file_of(root_, record_), record_.original); !ok) return {ok.error().describe()};
  after_write();
  now = current(root_, record_);
  if (!now) return {now.error().describe()};
  if (*now != record_.original) return {fmt::format("{} reads \"{}\", not \"{}\"", subject(), *now, record_.original)};
  return {};
}

std::string SettingChange::undone() const {
  return fmt::format("{} is \"{}\" again", record_.attribute, record_.original);
}

ChangeKind setting_change_kind() {
  return {
      kSettingKind, [](const SysfsRoot& root, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
        const auto bad = [&](const std::string& why) { return fail(Errc::malformed, e.key.file_name(), why); };
        const json j = json::parse(e.record, nullptr, false);
        if (!j.is_object()) return bad("its record is not a JSON object");
        SettingRecord r;
        try {
          auto bdf = pci::Bdf::parse(j.at("bdf").get<std::string>());
          if (!bdf) return bad(bdf.error().describe());
          r = {*bdf, j.at("attribute").get<std::string>(), j.at("original").get<std::string>(),
               j.at("value").get<std::string>()};
        } catch (const std::exception& ex) {
          return bad(fmt::format("missing or mistyped field: {}", ex.what()));
        }
        if (!known_setting(r.attribute) || !valid_value(r.attribute, r.original) || !valid_value(r.attribute, r.value))
          return bad("records a setting vfiokit does not make");
        return std::make_unique<SettingChange>(root, std::move(r));
      }};
}

}  // namespace vfiokit::host

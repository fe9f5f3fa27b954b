// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/binding/operation.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace vfiokit::host {

BindChange::BindChange(SysfsRoot root, BindPlan plan)
    : root_(std::move(root)),
      record_{plan.group, plan.driver, std::move(plan.members)},
      plan_steps_(std::move(plan.steps)) {
  for (const auto& s : plan_steps_) step_texts_.push_back(s.describe());
}

BindChange::BindChange(SysfsRoot root, BindingRecord record, std::vector<std::string> steps)
    : root_(std::move(root)), record_(std::move(record)), step_texts_(std::move(steps)) {}

std::string BindChange::subject() const { return fmt::format("IOMMU group {}", record_.group); }

std::string BindChange::held_summary() const {
  return fmt::format("held on {} (complete; `vfiokit release --group {}` gives it back)", record_.driver,
                     record_.group);
}

Result<void> BindChange::adopt_held(const JournalEntry& held) {
  // A group vfiokit already holds keeps its first record of the originals.
  auto r = binding_record_from_json(held.record, held.key.file_name());
  if (!r) return fail(r.error());
  record_.members = std::move(r->members);
  return {};
}

Result<void> BindChange::run_step(size_t index, const ExecutionOptions& options) {
  if (index >= plan_steps_.size()) return fail(Errc::invalid_argument, subject(), "has no such step to run");
  const BindStep& step = plan_steps_[index];
  switch (step.kind) {
    case StepKind::load_module: return load_driver_module(root_, step.value);
    case StepKind::set_override: return set_driver_override(root_, step.bdf, step.value);
    case StepKind::unbind: return unbind_driver(root_, step.bdf);
    case StepKind::probe: {
      if (auto ok = probe_driver(root_, step.bdf); !ok) return ok;
      auto b = wait_for_driver(root_, step.bdf, step.value, options.deferred_probe_ms);
      if (!b) return fail(b.error());
      if (b->driver != step.value)
        return fail(Errc::io, step.bdf.str(),
                    fmt::format("{} did not claim it (now: {}); see the kernel log (dmesg) for the probe error",
                                step.value, b->describe()));
      return {};
    }
    case StepKind::verify: return verify();
  }
  return {};
}

Result<void> BindChange::verify() const {
  for (const auto& m : record_.members) {
    if (m.bridge) continue;
    auto b = read_binding(root_, m.bdf);
    if (!b) return fail(b.error());
    if (b->driver != record_.driver)
      return fail(Errc::io, m.bdf.str(), fmt::format("is on {} instead of {}", b->describe(), record_.driver));
  }
  if (record_.driver != "vfio-pci") return {};
  std::error_code ec;
  bool usable = std::filesystem::exists(fmt::format("/dev/vfio/{}", record_.group), ec);
  if (!usable) {  // without the legacy group node, every member needs its cdev
    usable = true;
    for (const auto& m : record_.members)
      if (!m.bridge && !std::filesystem::is_directory(root_.device_dir(m.bdf) / "vfio-dev", ec)) usable = false;
  }
  if (!usable)
    return fail(Errc::io, subject(), "is bound to vfio-pci but neither /dev/vfio/N nor the vfio cdevs appeared");
  return {};
}

std::vector<std::string> BindChange::undo(const ExecutionOptions& options, const std::function<void()>& after_write) {
  std::vector<std::string> left;
  for (const auto& m : record_.members) {
    if (m.bridge) continue;
    if (auto ok = restore_binding(root_, m.bdf, m.original, options.probe_timeout_ms, after_write); !ok)
      left.push_back(ok.error().describe());
  }
  return left;
}

ChangeKind binding_change_kind() {
  return {kBindingKind, [](const SysfsRoot& root, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
            auto r = binding_record_from_json(e.record, e.key.file_name());
            if (!r) return fail(r.error());
            if (binding_key(r->group) != e.key)
              return fail(Errc::malformed, e.key.file_name(), fmt::format("records group {}", r->group));
            return std::make_unique<BindChange>(root, std::move(*r), e.steps);
          }};
}

Result<void> apply_bind(const SysfsRoot& root, const BindPlan& plan, const Journal& journal,
                        const ExecutionOptions& options) {
  BindChange change(root, plan);
  return apply_change(change, journal, options);
}

Result<std::optional<HeldGroup>> read_held_group(const Journal& journal, unsigned group) {
  auto e = journal.read(binding_key(group));
  if (!e) return fail(e.error());
  if (!*e) return std::optional<HeldGroup>();
  auto r = binding_record_from_json((*e)->record, journal.file((*e)->key).string());
  if (!r) return fail(r.error());
  if (r->group != group)
    return fail(Errc::malformed, journal.file((*e)->key).string(), fmt::format("records group {}", r->group));
  return std::optional<HeldGroup>(HeldGroup{std::move(**e), std::move(*r)});
}

Result<void> release_group(const SysfsRoot& root, const HeldGroup& held, const Journal& journal,
                           const ExecutionOptions& options) {
  BindChange change(root, held.record, held.entry.steps);
  return undo_change(change, held.entry, journal, options);
}

std::vector<std::string> restore_preview(const SysfsRoot& root, const BindingRecord& record) {
  std::vector<std::string> out;
  for (const auto& m : record.members) {
    if (m.bridge) continue;
    auto now = read_binding(root, m.bdf);
    const std::string current = now ? now->describe() : now.error().describe();
    if (now && *now == m.original) out.push_back(fmt::format("{}: already {}", m.bdf.str(), current));
    else out.push_back(fmt::format("{}: {} -> {}", m.bdf.str(), current, m.original.describe()));
  }
  return out;
}

}  // namespace vfiokit::host

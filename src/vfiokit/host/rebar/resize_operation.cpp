// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/resize_operation.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {

constexpr int kEnotsupp = 524;  // the kernel's internal ENOTSUPP

bool present(const SysfsRoot& root, const pci::Bdf& bdf) {
  std::error_code ec;
  return std::filesystem::exists(root.device_dir(bdf), ec);
}

std::optional<uint64_t> bar_size(const SysfsRoot& root, const pci::Bdf& bdf, unsigned bar) {
  if (!present(root, bdf)) return std::nullopt;
  const PciFunction f = read_pci_function(root, bdf);
  if (bar >= f.resources.size()) return std::nullopt;
  return f.resources[bar].size();
}

std::optional<unsigned> group_of(const SysfsRoot& root, const pci::Bdf& bdf) {
  auto name = read_link_name(root.device_dir(bdf) / "iommu_group");
  if (!name) return std::nullopt;
  return unsigned(std::strtoul(name->c_str(), nullptr, 10));
}

Result<void> write_flag(const SysfsRoot& root, const std::filesystem::path& file) { return root.write(file, "1"); }

// After a rescan the removed functions (and a re-enumerated target) appear;
// the kernel adds them during the write, but a slow probe may still be running.
Result<void> wait_for_functions(const SysfsRoot& root, const std::vector<AffectedFunction>& functions, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::string missing;
    for (const auto& a : functions)
      if (!present(root, a.bdf)) missing += (missing.empty() ? "" : " ") + a.bdf.str();
    if (missing.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(Errc::not_found, missing, "did not come back after the rescan");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<void> write_size(const SysfsRoot& root, const pci::Bdf& bdf, unsigned bar, unsigned encoding) {
  auto ok = root.write(root.device_dir(bdf) / fmt::format("resource{}_resize", bar), fmt::to_string(encoding));
  if (ok || !ok.error().sys_errno()) return ok;
  const Error& e = ok.error();
  return fail(Error(e.code(), e.subject(), fmt::format("{} — {}", e.message(), explain_resize_errno(e.sys_errno())),
                    e.sys_errno()));
}

// Whether the host is what the entry expects after it: BAR size, bindings, groups.
std::vector<std::string> differences(const SysfsRoot& root, const ResizeRecord& entry, ByteSize expected) {
  std::vector<std::string> out;
  const auto size = bar_size(root, entry.bdf, entry.bar);
  if (!size) out.push_back(fmt::format("{}: BAR {} cannot be read", entry.bdf.str(), entry.bar));
  else if (*size != expected.bytes())
    out.push_back(
        fmt::format("{}: BAR {} is {}, not {}", entry.bdf.str(), entry.bar, ByteSize(*size).str(), expected.str()));
  for (const auto& a : entry.functions) {
    auto b = read_binding(root, a.bdf);
    if (!b) {
      out.push_back(b.error().describe());
      continue;
    }
    if (*b != a.original)
      out.push_back(fmt::format("{}: {} instead of {}", a.bdf.str(), b->describe(), a.original.describe()));
    if (a.group && group_of(root, a.bdf) != a.group)
      out.push_back(fmt::format("{}: IOMMU group changed from {}", a.bdf.str(), *a.group));
  }
  return out;
}

}  // namespace

std::string explain_resize_errno(int err) {
  switch (err) {
    case EBUSY:
      return "the kernel resizes only a function with no driver bound and no VFs enabled (and memory decoding off, "
             "which its sysfs store does itself)";
    case EINVAL:
      return "the kernel does not accept this size for this BAR (not in resourceN_resize), or no bridge window can "
             "hold the BAR";
    case ENOENT:
      return "no upstream bridge window could be released because something else still has resources in it; every "
             "function sharing the window must be removed first";
    case ENOSPC:
      return "there is no room for the grown bridge window in the window above it or in the host bridge aperture; try "
             "a smaller size, remove other devices below the same root port, enlarge the MMIO space in the firmware "
             "(\"Above 4G decoding\"), or boot with pci=realloc";
    case kEnotsupp:
      return "the firmware asks the kernel to preserve this host bridge's boot configuration (_DSM preserve_config), "
             "so no BAR below it can be resized";
    case EPERM:
    case EACCES: return "resizing needs root (CAP_SYS_ADMIN)";
    case ENOMEM: return "the kernel could not allocate memory for the resize";
    default: return "see the kernel log (dmesg) for the PCI core's message";
  }
}

ResizeChange::ResizeChange(SysfsRoot root, const ResizePlan& plan)
    : root_(std::move(root)), record_(ResizeRecord::from_plan(plan)), plan_steps_(plan.steps) {
  for (const auto& s : plan_steps_) step_texts_.push_back(s.text);
}

ResizeChange::ResizeChange(SysfsRoot root, ResizeRecord record, std::vector<std::string> steps)
    : root_(std::move(root)), record_(std::move(record)), step_texts_(std::move(steps)) {}

std::string ResizeChange::subject() const { return fmt::format("{} BAR {}", record_.bdf.str(), record_.bar); }

std::string ResizeChange::describe() const {
  return fmt::format("a {} {} -> {}", record_.rehearse ? "rehearsal of a resize" : "resize", record_.from.str(),
                     record_.to.str());
}

std::string ResizeChange::undone() const {
  return fmt::format("rolled back: BAR {} is {} and every function is back as it was", record_.bar, record_.from.str());
}

Result<void> ResizeChange::run_step(size_t index, const ExecutionOptions& options) {
  if (index >= plan_steps_.size()) return fail(Errc::invalid_argument, subject(), "has no such step to run");
  const ResizeStep& step = plan_steps_[index];
  const ResizeRecord& entry = record_;
  const SysfsRoot& root = root_;
  switch (step.kind) {
    case ResizeStepKind::release_driver: return unbind_driver(root, step.bdf);
    case ResizeStepKind::remove: return write_flag(root, root.device_dir(step.bdf) / "remove");
    case ResizeStepKind::write_size:
      if (entry.rehearse) return {};
      return write_size(root, entry.bdf, entry.bar, *entry.to_encoding);
    case ResizeStepKind::reenumerate: return write_flag(root, root.device_dir(step.bdf) / "remove");
    case ResizeStepKind::rescan:
      if (auto ok = write_flag(root, root.path() / "bus/pci/rescan"); !ok) return ok;
      return wait_for_functions(root, entry.functions, options.probe_timeout_ms);
    case ResizeStepKind::restore_binding: {
      const auto it = std::find_if(entry.functions.begin(), entry.functions.end(),
                                   [&](const AffectedFunction& a) { return a.bdf == step.bdf; });
      return restore_binding(root, step.bdf, it->original, options.probe_timeout_ms, [] {});
    }
    case ResizeStepKind::verify: {
      const auto diff = differences(root, entry, entry.to);
      if (diff.empty()) return {};
      return fail(Errc::io, entry.bdf.str(), fmt::format("the host is not as planned: {}", fmt::join(diff, "; ")));
    }
  }
  return {};
}

std::vector<std::string> ResizeChange::undo(const ExecutionOptions& options, const std::function<void()>& after_write) {
  const ResizeRecord& entry = record_;
  const SysfsRoot& root = root_;
  std::vector<std::string> problems;
  const auto note = [&](const Result<void>& r) {
    if (!r) problems.push_back(r.error().describe());
    else after_write();
    return bool(r);
  };
  const auto rescan = [&] {
    if (note(write_flag(root, root.path() / "bus/pci/rescan")))
      note(wait_for_functions(root, entry.functions, options.probe_timeout_ms));
  };
  // Everything back first: a run killed after a removal left functions out.
  if (std::any_of(entry.functions.begin(), entry.functions.end(), [&](const auto& a) { return !present(root, a.bdf); }))
    rescan();
  // Then the size, by the plan's own walk: the target without its driver and
  // the functions that pinned the windows removed again, the old size
  // written, and the re-sized windows found again with everything below them.
  const auto size = bar_size(root, entry.bdf, entry.bar);
  if (!entry.rehearse && size && *size != entry.from.bytes() && entry.from_encoding) {
    bool ready = note(unbind_driver(root, entry.bdf));
    for (const auto& top : entry.removed)
      if (present(root, top)) ready = note(write_flag(root, root.device_dir(top) / "remove")) && ready;
    if (ready && note(write_size(root, entry.bdf, entry.bar, *entry.from_encoding)) && entry.reenumerate &&
        present(root, *entry.reenumerate))
      note(write_flag(root, root.device_dir(*entry.reenumerate) / "remove"));
    if (!entry.removed.empty() || entry.reenumerate) rescan();
  }
  // Removed functions first (they return with their default drivers), the target last.
  for (size_t i = 1; i <= entry.functions.size(); ++i) {
    const auto& a = entry.functions[i % entry.functions.size()];
    if (present(root, a.bdf)) note(restore_binding(root, a.bdf, a.original, options.probe_timeout_ms, [] {}));
  }
  if (problems.empty()) problems = differences(root, entry, entry.from);
  return problems;
}

ChangeKind resize_change_kind() {
  return {kResizeKind, [](const SysfsRoot& root, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
            auto r = resize_record_from_json(e.record, e.key.file_name());
            if (!r) return fail(r.error());
            if (resize_key(r->bdf) != e.key)
              return fail(Errc::malformed, e.key.file_name(), fmt::format("records a resize of {}", r->bdf.str()));
            return std::make_unique<ResizeChange>(root, std::move(*r), e.steps);
          }};
}

Result<void> apply_resize(const SysfsRoot& root, const ResizePlan& plan, const Journal& journal,
                          const ExecutionOptions& options) {
  ResizeChange change(root, plan);
  return apply_change(change, journal, options);
}

}  // namespace vfiokit::host

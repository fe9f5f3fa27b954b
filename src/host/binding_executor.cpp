#include "host/binding_executor.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace vfiokit::host {

namespace {

Result<void> run_step(const SysfsRoot& root, const BindStep& step, const BindPlan& plan,
                      const ExecutionOptions& options) {
  switch (step.kind) {
    case StepKind::load_module: return load_driver_module(root, step.value);
    case StepKind::set_override: return set_driver_override(root, step.bdf, step.value);
    case StepKind::unbind: return unbind_driver(root, step.bdf);
    case StepKind::probe: {
      if (auto ok = probe_driver(root, step.bdf); !ok) return ok;
      auto b = wait_for_driver(root, step.bdf, step.value, options.deferred_probe_ms);
      if (!b) return fail(b.error());
      if (b->driver != step.value)
        return fail(Errc::io, step.bdf.str(),
                    fmt::format("{} did not claim it (now: {}); see the kernel log (dmesg) for the probe error",
                                step.value, b->describe()));
      return {};
    }
    case StepKind::verify: {
      for (const auto& m : plan.members) {
        if (m.bridge) continue;
        auto b = read_binding(root, m.bdf);
        if (!b) return fail(b.error());
        if (b->driver != plan.driver)
          return fail(Errc::io, m.bdf.str(), fmt::format("is on {} instead of {}", b->describe(), plan.driver));
      }
      if (plan.driver == "vfio-pci") {
        std::error_code ec;
        bool usable = std::filesystem::exists(fmt::format("/dev/vfio/{}", plan.group), ec);
        if (!usable) {  // without the legacy group node, every member needs its cdev
          usable = true;
          for (const auto& m : plan.members)
            if (!m.bridge && !std::filesystem::is_directory(root.device_dir(m.bdf) / "vfio-dev", ec)) usable = false;
        }
        if (!usable)
          return fail(Errc::io, fmt::format("IOMMU group {}", plan.group),
                      "is bound to vfio-pci but neither /dev/vfio/N nor the vfio cdevs appeared");
      }
      return {};
    }
  }
  return {};
}

}  // namespace

Result<void> restore_group(const SysfsRoot& root, JournalEntry entry, const BindingJournal& journal,
                           const ExecutionOptions& options) {
  entry.state = JournalState::restoring;
  entry.pid = ::getpid();
  if (auto ok = journal.write(entry); !ok) return ok;
  StepCounter steps(options);
  std::string failures;
  for (const auto& m : entry.members) {
    if (m.bridge) continue;
    if (auto ok = restore_binding(root, m.bdf, m.original, options.probe_timeout_ms, [&] { steps.done(); }); !ok)
      failures += fmt::format("{}{}", failures.empty() ? "" : "; ", ok.error().describe());
  }
  if (!failures.empty())
    return fail(Errc::io, fmt::format("IOMMU group {}", entry.group),
                fmt::format("could not be fully restored ({}); the journal {} keeps the originals for `vfiokit recover`",
                            failures, journal.file(entry.group).string()));
  return journal.remove(entry.group);
}

std::vector<std::string> restore_preview(const SysfsRoot& root, const JournalEntry& entry) {
  std::vector<std::string> out;
  for (const auto& m : entry.members) {
    if (m.bridge) continue;
    auto now = read_binding(root, m.bdf);
    const std::string current = now ? now->describe() : now.error().describe();
    if (now && *now == m.original) out.push_back(fmt::format("{}: already {}", m.bdf.str(), current));
    else out.push_back(fmt::format("{}: {} -> {}", m.bdf.str(), current, m.original.describe()));
  }
  return out;
}

Result<void> apply_bind(const SysfsRoot& root, const BindPlan& plan, const BindingJournal& journal,
                        const ExecutionOptions& options) {
  auto existing = journal.read(plan.group);
  if (!existing) return fail(existing.error());
  if (*existing && (*existing)->state != JournalState::held)
    return fail(Errc::invalid_argument, fmt::format("IOMMU group {}", plan.group),
                fmt::format("has an unfinished operation in {}: run `vfiokit recover` first",
                            journal.file(plan.group).string()));
  JournalEntry entry;
  entry.group = plan.group;
  entry.driver = plan.driver;
  entry.members = plan.members;
  entry.pid = ::getpid();
  for (const auto& s : plan.steps) entry.steps.push_back(s.describe());
  // A group vfiokit already holds keeps its first record of the originals.
  if (*existing) entry.members = (*existing)->members;
  StepCounter steps(options);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    entry.next_step = i;
    if (auto ok = journal.write(entry); !ok) return ok;
    if (auto ok = run_step(root, plan.steps[i], plan, options); !ok) {
      const Error cause = ok.error();
      auto restored = restore_group(root, entry, journal, options);
      const std::string outcome = restored ? "every function is back as it was"
                                           : "restoring failed too: " + restored.error().describe();
      return fail(Error(cause.code(), cause.subject(),
                        fmt::format("{} (step {} of {}: {}); {}", cause.message(), i + 1, plan.steps.size(),
                                    plan.steps[i].describe(), outcome),
                        cause.sys_errno()));
    }
    steps.done();
  }
  entry.state = JournalState::held;
  entry.next_step = plan.steps.size();
  return journal.write(entry);
}

}  // namespace vfiokit::host

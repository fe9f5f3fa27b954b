#include "vfiokit/host/rebar/resize_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/pci/caps/resizable_bar.hpp"

namespace vfiokit::host {

namespace {

std::string sizes_in(uint64_t bitmap) {
  std::string out;
  for (unsigned e = 0; e < 64 && e <= pci::rebar::kMaxEncoding; ++e)
    if ((bitmap >> e) & 1) out += (out.empty() ? "" : " ") + pci::rebar::size_of(e).str();
  return out.empty() ? "none" : out;
}

}  // namespace

Result<ResizeRequest> parse_resize_size(ResizeRequest request, std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "max") {
    request.max = true;
    return request;
  }
  auto size = ByteSize::parse(text);
  if (!size) return fail(Errc::invalid_argument, std::string(text), "is not a size: use e.g. 256M, 16G or max");
  request.size = *size;
  return request;
}

Result<ResizePlan> plan_resize(const SysfsRoot& root, const HostView& host, const ResizeRequest& request,
                               const UsesOf& uses_of) {
  const std::string subject = request.bdf.str();
  const PciFunction* f = host.function(request.bdf);
  if (!f) return fail(Errc::not_found, subject, "no such PCI function");
  if (request.bar > 5)
    return fail(Errc::invalid_argument, subject, fmt::format("BAR {} does not exist (0..5)", request.bar));
  if (request.bar >= f->resources.size() || !f->resources[request.bar].size())
    return fail(Errc::invalid_argument, subject, fmt::format("BAR {} is not assigned an address", request.bar));
  if (f->sriov_numvfs.value_or(0))
    return fail(
        Errc::invalid_argument, subject,
        fmt::format("{} VFs are enabled; the kernel refuses a resize until sriov_numvfs is 0", *f->sriov_numvfs));

  ResizePlan plan;
  plan.bdf = request.bdf;
  plan.bar = request.bar;
  plan.rehearse = request.rehearse;
  plan.from = ByteSize(f->resources[request.bar].size());
  plan.to = plan.from;
  const auto resize_file = root.device_dir(request.bdf) / fmt::format("resource{}_resize", request.bar);
  auto bitmap = read_hex_attr(resize_file, UINT64_MAX);
  if (!bitmap) return fail(bitmap.error());
  if (*bitmap && **bitmap) {
    const int from = pci::rebar::encoding_of(plan.from);
    if (from >= 0) plan.from_encoding = unsigned(from);
    unsigned to = 0;
    if (request.max) {
      to = unsigned(63 - std::countl_zero(**bitmap));
    } else if (request.size) {
      const int e = pci::rebar::encoding_of(*request.size);
      if (e < 0 || !((**bitmap >> e) & 1))
        return fail(Errc::invalid_argument, subject,
                    fmt::format("BAR {} cannot be {}: resource{}_resize offers {}", request.bar, request.size->str(),
                                request.bar, sizes_in(**bitmap)));
      to = unsigned(e);
    } else if (from >= 0) {
      to = unsigned(from);
    }
    if (to > pci::rebar::kMaxEncoding) return fail(Errc::malformed, resize_file.string(), "reports an impossible size");
    plan.to_encoding = to;
    plan.to = pci::rebar::size_of(to);
  } else if (!request.rehearse) {
    return fail(Errc::unsupported, subject,
                fmt::format("BAR {} is not resizable: there is no resource{}_resize (no Resizable BAR entry for it, or "
                            "a kernel older than 6.1)",
                            request.bar, request.bar));
  } else if (request.size && *request.size != plan.from) {
    return fail(Errc::invalid_argument, subject,
                fmt::format("BAR {} is not resizable: a rehearsal can only keep its {}", request.bar, plan.from.str()));
  }
  if (plan.to == plan.from && !request.rehearse) return plan;  // nothing to do

  plan.window = window_holding(host, *f, request.bar);
  const auto add = [&](const pci::Bdf& bdf, bool removed) {
    const PciFunction* fn = host.function(bdf);
    Binding b;
    if (fn) b = Binding{fn->driver, fn->driver_override};
    plan.functions.push_back({bdf, b, fn ? fn->iommu_group : std::nullopt, removed});
  };
  add(request.bdf, false);
  if (plan.window)
    for (const auto& top : sharing_children(host, *plan.window, request.bdf)) {
      plan.removed.push_back(top);
      for (const auto& bdf : subtree_of(host, top)) add(bdf, true);
    }
  for (const auto& a : plan.functions) {
    if (auto ok = check_journalable(a.original, a.bdf); !ok) return fail(ok.error());
    for (const auto& use : uses_of(a.bdf)) plan.in_use.push_back(fmt::format("{}: {}", a.bdf.str(), use));
  }

  const AffectedFunction& target = plan.functions.front();
  if (!target.original.driver.empty())
    plan.steps.push_back({ResizeStepKind::release_driver, plan.bdf,
                          fmt::format("unbind {} from {} (the kernel resizes only a function without a driver)",
                                      target.original.driver, plan.bdf.str())});
  for (const auto& top : plan.removed) {
    std::string drivers;
    const auto sub = subtree_of(host, top);
    for (const auto& bdf : sub) {
      const PciFunction* fn = host.function(bdf);
      drivers += fmt::format("{}{} {}", drivers.empty() ? "" : ", ", bdf.str(),
                             fn ? Binding{fn->driver, fn->driver_override}.describe() : "?");
    }
    const size_t below = sub.size() - 1;
    plan.steps.push_back({ResizeStepKind::remove, top,
                          fmt::format("soft-remove {}{} (shares {}'s window; recorded: {})", top.str(),
                                      below ? fmt::format(" and {} function(s) below it", below) : "",
                                      plan.window->bridge.str(), drivers)});
  }
  if (request.rehearse)
    plan.steps.push_back({ResizeStepKind::write_size, plan.bdf,
                          fmt::format("rehearsal: skip writing resource{}_resize (BAR {} stays {})", plan.bar, plan.bar,
                                      plan.from.str())});
  else
    plan.steps.push_back({ResizeStepKind::write_size, plan.bdf,
                          fmt::format("write {} to resource{}_resize: BAR {} {} -> {}", *plan.to_encoding, plan.bar,
                                      plan.bar, plan.from.str(), plan.to.str())});
  if (!plan.removed.empty())
    plan.steps.push_back({ResizeStepKind::rescan, plan.bdf, "rescan the PCI bus (the removed functions return)"});
  for (const auto& a : plan.functions)
    if (a.removed)
      plan.steps.push_back(
          {ResizeStepKind::restore_binding, a.bdf, fmt::format("restore {}: {}", a.bdf.str(), a.original.describe())});
  if (!target.original.driver.empty() || target.original.driver_override)
    plan.steps.push_back({ResizeStepKind::restore_binding, plan.bdf,
                          fmt::format("restore {}: {}", plan.bdf.str(), target.original.describe())});
  plan.steps.push_back({ResizeStepKind::verify, plan.bdf,
                        fmt::format("verify: BAR {} is {} in `resource`, every driver and IOMMU group as before",
                                    plan.bar, plan.to.str())});
  return plan;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/resize_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "vfiokit/host/devices/host_apertures.hpp"
#include "vfiokit/host/rebar/window_sizing.hpp"
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

std::string parent_name(const HostView& host, const pci::Bdf& bdf) {
  const PciFunction* f = host.function(bdf);
  return f && f->parent ? f->parent->str() : "the root bus";
}

std::string names(const std::vector<pci::Bdf>& bdfs) {
  std::string out;
  for (const auto& b : bdfs) out += (out.empty() ? "" : ", ") + b.str();
  return out;
}

// How many windows of `chain` the kernel must release, the BAR's own first.
// The first always (the kernel's walk fails with ENOENT otherwise); above it,
// a window holding nothing else is released by the kernel's walk anyway, and
// one that does stops the walk, so the windows below must fit beside what is
// in it, with every removed function back, or it must be emptied as well.
// A rehearsal writes no size, so only the BAR's own window is emptied.
size_t released_levels(const HostView& host, const PciFunction& f, const ResizeRequest& request, ResizePlan& plan,
                       const std::vector<WindowLevel>& chain) {
  if (chain.empty()) return 0;
  if (request.rehearse) return 1;
  const bool prefetch = f.resources[request.bar].flags & kResourcePrefetch;
  const BarAtSize changed{f.bdf, request.bar, plan.to.bytes()};
  size_t released = 1;
  while (released < chain.size()) {
    const WindowLevel& stop = chain[released];
    const pci::Bdf& inner = chain[released - 1].bridge;
    if (stop.others.empty()) {
      ++released;
      continue;
    }
    const auto need = subtree_need(host, inner, prefetch, changed);
    if (need && free_aligned_gap(stop.window, need->size, need->align, occupants_except(host, stop.window, inner)))
      break;
    plan.notes.push_back(
        fmt::format("{}'s window, grown to {} ({}-aligned) for every function below it, does not fit in {}'s window "
                    "0x{:x}-0x{:x} beside {}: they leave as well, so that the kernel releases that window too",
                    inner.str(), ByteSize(need ? need->size : 0).str(), ByteSize(need ? need->align : 0).str(),
                    stop.bridge.str(), stop.window.start, stop.window.end, names(stop.others)));
    ++released;
  }
  if (released > 1 && !plan.notes.empty())
    plan.notes.push_back(
        "to resize without removing them, leave room up front: boot with pci=hpmmioprefsize=SIZE (bridges with "
        "hotplug slots), or pci=realloc, or enable \"Above 4G decoding\" / Resizable BAR support in the firmware");
  return released;
}

// When the walk reaches the root bus, the topmost window goes into the host
// bridge aperture. The kernel judges that itself, and a size write that does
// not fit is its ENOSPC, rolled back by the kernel. But when functions were
// removed, the re-enumeration after the write sizes the window for all of
// them, and if that does not fit they come back without addresses: so then
// the aperture is checked first, where the host shows it (/proc/iomem).
Result<void> check_aperture(const SysfsRoot& root, const HostView& host, const PciFunction& f,
                            const ResizeRequest& request, ResizePlan& plan, const WindowLevel& top) {
  auto apertures = read_host_apertures(root);
  if (!apertures) return fail(apertures.error());
  const auto in =
      std::find_if(apertures->begin(), apertures->end(), [&](const Resource& a) { return contains(a, top.window); });
  if (in == apertures->end()) {
    plan.notes.push_back(fmt::format(
        "{}'s window goes into the host bridge aperture, which this host does not show (/proc/iomem needs root): if "
        "the kernel finds no room there, the size write fails with ENOSPC and is rolled back",
        top.bridge.str()));
    return {};
  }
  const bool prefetch = f.resources[request.bar].flags & kResourcePrefetch;
  const auto need = subtree_need(host, top.bridge, prefetch, BarAtSize{f.bdf, request.bar, plan.to.bytes()});
  if (!need || free_aligned_gap(*in, need->size, need->align, occupants_except(host, *in, top.bridge))) return {};
  return fail(
      Errc::unsupported, request.bdf.str(),
      fmt::format("BAR {} cannot be {} with every function below {} kept: its window would need {} "
                  "({}-aligned) in the host bridge aperture 0x{:x}-0x{:x}, which has no such room; enlarge the "
                  "MMIO space in the firmware (\"Above 4G decoding\", \"MMIO high size\") or try a smaller size",
                  request.bar, plan.to.str(), top.bridge.str(), ByteSize(need->size).str(), ByteSize(need->align).str(),
                  in->start, in->end));
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
    if (std::any_of(plan.functions.begin(), plan.functions.end(), [&](const auto& a) { return a.bdf == bdf; })) return;
    const PciFunction* fn = host.function(bdf);
    Binding b;
    if (fn) b = Binding{fn->driver, fn->driver_override};
    plan.functions.push_back({bdf, b, fn ? fn->iommu_group : std::nullopt, removed});
  };
  add(request.bdf, false);
  const auto chain = window_chain(host, *f, request.bar);
  const size_t released = released_levels(host, *f, request, plan, chain);
  for (size_t k = 0; k < released; ++k) {
    plan.released.push_back(chain[k].bridge);
    for (const auto& top : chain[k].others) {
      plan.removed.push_back(top);
      for (const auto& bdf : subtree_of(host, top)) add(bdf, true);
    }
  }
  if (released < chain.size()) plan.stop = chain[released].bridge;
  if (!request.rehearse && !plan.removed.empty() && released && released == chain.size())
    if (auto ok = check_aperture(root, host, *f, request, plan, chain.back()); !ok) return fail(ok.error());
  if (!request.rehearse && !plan.removed.empty() && released) {
    plan.reenumerate = chain[released - 1].bridge;
    for (const auto& bdf : subtree_of(host, *plan.reenumerate)) add(bdf, bdf != request.bdf);
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
                                      parent_name(host, top), drivers)});
  }
  if (request.rehearse)
    plan.steps.push_back({ResizeStepKind::write_size, plan.bdf,
                          fmt::format("rehearsal: skip writing resource{}_resize (BAR {} stays {})", plan.bar, plan.bar,
                                      plan.from.str())});
  else
    plan.steps.push_back({ResizeStepKind::write_size, plan.bdf,
                          fmt::format("write {} to resource{}_resize: BAR {} {} -> {}", *plan.to_encoding, plan.bar,
                                      plan.bar, plan.from.str(), plan.to.str())});
  if (plan.reenumerate) {
    const size_t below = subtree_of(host, *plan.reenumerate).size() - 1;
    plan.steps.push_back(
        {ResizeStepKind::reenumerate, *plan.reenumerate,
         fmt::format("soft-remove {} and the {} function(s) below it, {} included: the kernel sized the grown windows "
                     "for {} alone; found again by the rescan, they are sized for every function below",
                     plan.reenumerate->str(), below, plan.bdf.str(), plan.bdf.str())});
  }
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

// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_function.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

#include "vfiokit/base/populate.hpp"
#include "vfiokit/host/devices/function_attributes.hpp"
#include "vfiokit/host/devices/function_tree_walk.hpp"
#include "vfiokit/host/devices/virtual_function_parents.hpp"
#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {

bool PciFunction::is_bridge() const {
  if (config) return config->header.is_bridge_layout();
  return class_code && (*class_code >> 8) == 0x0604;
}

namespace {

PciFunction read_listed(const SysfsDir& dir, const pci::Bdf& bdf, std::optional<pci::Bdf> parent, Detail detail) {
  PciFunction f;
  f.bdf = bdf;
  f.parent = parent;
  auto entries = dir.list();
  if (!entries) f.problems.push_back(entries.error());
  else read_function_attributes(dir, FunctionAttributes::of(*entries), detail, f);
  return f;
}

}  // namespace

PciFunction read_pci_function(const SysfsRoot& root, const pci::Bdf& bdf, Detail detail) {
  const auto path = root.device_dir(bdf);
  // bus/pci/devices/BDF links to the function's directory, which sits inside
  // its upstream bridge's: "../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0".
  std::optional<pci::Bdf> parent;
  std::error_code ec;
  const auto link = std::filesystem::read_symlink(path, ec);
  if (!ec)
    if (auto p = pci::Bdf::parse(link.parent_path().filename().string())) parent = *p;
  auto dir = SysfsDir::open(path);
  if (!dir) {
    PciFunction f;
    f.bdf = bdf;
    f.parent = parent;
    f.problems.push_back(dir.error());
    return f;
  }
  return read_listed(*dir, bdf, parent, detail);
}

std::vector<PciFunction> read_pci_functions(const SysfsRoot& root, std::vector<Error>& problems, Detail detail) {
  // The bus's list says which functions there are; it is read while the
  // walk of the tree begins (a host of thousands of functions lists
  // thousands of links). Once it is, the result is made (while the other
  // threads walk) and the walk reads each function straight into its
  // place: moving 4,096 functions of 584 bytes there after the walk, into
  // memory written for the first time, took 3.5-5 ms on one thread, longer
  // than anything else the command did after the walk.
  std::vector<pci::Bdf> wanted;
  std::vector<PciFunction> out;
  std::unique_ptr<std::atomic<bool>[]> taken;  // by place in `out`
  std::atomic<bool> placing = false;           // `out` and `taken` are ready
  bool listed = false;
  const auto list_bus = [&] {
    auto bus = SysfsDir::open(root.pci_devices());
    // Addresses straight from the listing, sorted as numbers: no string is
    // kept of thousands of entries.
    std::vector<std::string> malformed;
    auto listed_bus = bus ? bus->each_entry([&](const EntryView& entry) {
      if (auto bdf = pci::Bdf::parse(entry.name)) wanted.push_back(*bdf);
      else malformed.emplace_back(entry.name);
    })
                          : Result<void>(std::unexpected(bus.error()));
    if (!listed_bus) {
      problems.push_back(
          Error::from_errno(listed_bus.error().sys_errno(), root.pci_devices().string(), "cannot list PCI devices"));
      wanted.clear();
      return;
    }
    listed = true;
    std::sort(malformed.begin(), malformed.end());
    for (const auto& name : malformed) problems.push_back(Error(Errc::malformed, *bus / name, "not a PCI address"));
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    out.reserve(wanted.size());
    // Every place is written: 2.4 MB at 4,096 functions.
    populate_for_writing(out.data(), wanted.size() * sizeof(PciFunction));
    out.resize(wanted.size());
    taken = std::make_unique<std::atomic<bool>[]>(wanted.size());
    placing.store(true, std::memory_order_release);
  };
  // A function on the bus gets its place the first time the walk reaches
  // it; the walk keeps one it reaches before the bus is listed, again (only
  // a crafted tree nests an address twice), or that is not on the bus.
  const auto place = [&](const pci::Bdf& bdf) -> PciFunction* {
    if (!placing.load(std::memory_order_acquire)) return nullptr;
    const auto it = std::lower_bound(wanted.begin(), wanted.end(), bdf);
    if (it == wanted.end() || *it != bdf) return nullptr;
    const auto i = static_cast<size_t>(it - wanted.begin());
    return taken[i].exchange(true, std::memory_order_relaxed) ? nullptr : &out[i];
  };
  auto walked = walk_function_tree(root.path() / "devices", detail, list_bus, place);
  if (!listed) return {};
  std::vector<PciFunction*> kept;
  for (auto& read : walked) read.for_each([&](PciFunction& f) { kept.push_back(&f); });
  std::sort(kept.begin(), kept.end(), [](const PciFunction* a, const PciFunction* b) { return a->bdf < b->bdf; });
  auto next = kept.begin();
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (taken[i].load(std::memory_order_relaxed)) continue;
    const pci::Bdf& bdf = wanted[i];
    while (next != kept.end() && (*next)->bdf < bdf) ++next;  // in the tree, not on the bus: not shown
    // A function the walk did not reach (a host bridge outside ROOT/devices,
    // a fixture without the tree) is read through its link.
    if (next != kept.end() && (*next)->bdf == bdf) out[i] = std::move(**next++);
    else out[i] = read_pci_function(root, bdf, detail);
  }
  if (detail == Detail::summary)
    find_virtual_function_parents(out, [&](const PciFunction& vf) -> std::optional<pci::Bdf> {
      const auto name = read_link_name(root.device_dir(vf.bdf) / "physfn");
      if (!name) return std::nullopt;
      auto b = pci::Bdf::parse(*name);
      return b ? std::optional(*b) : std::nullopt;
    });
  return out;
}

}  // namespace vfiokit::host

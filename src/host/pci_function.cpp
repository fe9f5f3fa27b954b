#include "host/pci_function.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "host/device_config.hpp"
#include "host/pci_uevent.hpp"
#include "host/sysfs_attr.hpp"
#include "host/sysfs_dir.hpp"

namespace vfiokit::host {
namespace {

// Stores an attribute's value, or records why it could not be read.
template <class T, class U>
void take(Result<std::optional<U>> r, std::optional<T>& into, std::vector<Error>& problems) {
  if (!r) problems.push_back(r.error());
  else if (*r) into = static_cast<T>(**r);
}

std::vector<Resource> parse_resources(const std::string& text, const std::filesystem::path& file,
                                      std::vector<Error>& problems) {
  std::vector<Resource> out;
  std::istringstream in(text);
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    Resource r;
    char tail = 0;
    if (std::sscanf(line.c_str(), "0x%lx 0x%lx 0x%lx %c", &r.start, &r.end, &r.flags, &tail) != 3) {
      problems.push_back(Error(Errc::malformed, file.string(),
                               fmt::format("line {} is not 'START END FLAGS' in hex: '{}'", n, line)));
      continue;
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace

bool PciFunction::is_bridge() const {
  if (config) return config->header.is_bridge_layout();
  return class_code && (*class_code >> 8) == 0x0604;
}

namespace {

// The IDs and class from `uevent` (host/pci_uevent.hpp). The DRIVER= line
// is not used: the `driver` link is what binding changes, and the listing
// already says whether there is one. False when the file does not say them
// all; a malformed value is also a problem of the function.
bool take_uevent(const SysfsDir& dir, PciFunction& f) {
  auto text = read_attr(dir, "uevent");
  if (!text || !*text) {
    if (!text) f.problems.push_back(text.error());
    return false;
  }
  auto u = parse_pci_uevent(**text, (dir / "uevent").string());
  if (!u) f.problems.push_back(u.error());
  if (!u || !*u) return false;
  f.class_code = (*u)->class_code;
  f.vendor_id = (*u)->vendor_id;
  f.device_id = (*u)->device_id;
  f.subsystem_vendor_id = (*u)->subsystem_vendor_id;
  f.subsystem_id = (*u)->subsystem_id;
  return true;
}

// Everything but the parent, from the function's open directory and its
// listing: one listing tells which attributes exist, so nothing is opened
// in vain.
void read_attributes(const SysfsDir& dir, const std::vector<DirEntry>& entries, PciFunction& f) {
  auto& p = f.problems;
  const auto has = [&](std::string_view name) { return has_entry(entries, name); };
  const auto hex = [&](const char* name, uint64_t max, auto& into) {
    if (has(name)) take(read_hex_attr(dir, name, max), into, p);
  };
  const auto dec = [&](const char* name, auto& into) {
    if (has(name)) take(read_int_attr(dir, name), into, p);
  };
  const auto text = [&](const char* name) -> std::optional<std::string> {
    if (!has(name)) return std::nullopt;
    auto r = read_attr(dir, name);
    if (!r) p.push_back(r.error());
    return r ? *r : std::nullopt;
  };

  // uevent holds in one file what five attributes say apart; an older
  // snapshot without it is read file by file.
  const bool from_uevent = has("uevent") && take_uevent(dir, f);
  if (!from_uevent) {
    hex("vendor", 0xffff, f.vendor_id);
    hex("device", 0xffff, f.device_id);
    hex("subsystem_vendor", 0xffff, f.subsystem_vendor_id);
    hex("subsystem_device", 0xffff, f.subsystem_id);
    hex("class", 0xffffff, f.class_code);
  }
  dec("numa_node", f.numa_node);
  dec("sriov_totalvfs", f.sriov_totalvfs);
  dec("sriov_numvfs", f.sriov_numvfs);
  std::optional<int64_t> d3cold;
  dec("d3cold_allowed", d3cold);
  if (d3cold) f.d3cold_allowed = *d3cold != 0;
  f.power_state = text("power_state");

  if (has("driver")) f.driver = read_link_name(dir, "driver").value_or("");
  if (auto override = text("driver_override"); override && *override != "(null)") f.driver_override = *override;
  if (has("iommu_group")) {
    const auto name = read_link_name(dir, "iommu_group").value_or("");
    unsigned group = 0;
    if (std::sscanf(name.c_str(), "%u", &group) == 1) f.iommu_group = group;
    else p.push_back(Error(Errc::malformed, (dir / "iommu_group").string(), "does not point to a group number"));
  }
  if (has("physfn"))
    if (auto phys = read_link_name(dir, "physfn"))
      if (auto b = pci::Bdf::parse(*phys)) f.physfn = *b;
  if (has("vfio-dev"))
    if (auto vfio = dir.open_child("vfio-dev"))
      if (auto nodes = vfio->list(); nodes && !nodes->empty()) f.vfio_dev = nodes->back().name;

  if (auto methods = text("reset_method")) {
    std::istringstream in(*methods);
    for (std::string m; in >> m;) f.reset_methods.push_back(m);
  }
  if (auto res = text("resource")) f.resources = parse_resources(*res, dir / "resource", p);
  for (unsigned n = 0; n < 6; ++n)
    if (has(fmt::format("resource{}_resize", n))) f.resizable_bars.push_back(n);

  if (!has("config")) {
    p.push_back(Error(Errc::not_found, (dir / "config").string(), "missing"));
  } else if (auto config = read_device_config(dir); !config) {
    p.push_back(config.error());
  } else {
    f.config = pci::decode_device(config->config);
    f.config_limited = config->limited_by_privilege;
  }
}

PciFunction read_listed(const SysfsDir& dir, const pci::Bdf& bdf, std::optional<pci::Bdf> parent,
                        std::vector<DirEntry>* entries_out = nullptr) {
  PciFunction f;
  f.bdf = bdf;
  f.parent = parent;
  auto entries = dir.list();
  if (!entries) {
    f.problems.push_back(entries.error());
    return f;
  }
  read_attributes(dir, *entries, f);
  if (entries_out) *entries_out = std::move(*entries);
  return f;
}

// "pci0000:00", "pci10000:e0": a host bridge's directory (a root bus, also
// the one a VMD domain adds below its endpoint).
bool is_host_bridge_dir(std::string_view name) {
  if (!name.starts_with("pci")) return false;
  name.remove_prefix(3);
  const auto colon = name.find(':');
  if (colon == std::string_view::npos || colon < 4 || colon > 8 || name.size() != colon + 3) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c == ':' || std::isxdigit(c); });
}

// The functions reached by walking ROOT/devices from each host bridge, the
// way the kernel nests them: a function's directory sits in its upstream
// bridge's, so the walk knows every parent without reading a link, and
// opens each directory relative to its parent's. Only functions in
// `wanted` (the bus's list) are read.
//
// Reading sysfs is system calls, each a few microseconds, and they run in
// parallel: a host of thousands of virtual functions is read by a few
// threads taking directories from one shared stack.
class TreeWalk {
 public:
  explicit TreeWalk(const std::set<pci::Bdf>& wanted) : wanted_(wanted) {}

  std::map<pci::Bdf, PciFunction> run(const std::filesystem::path& devices) {
    auto top = SysfsDir::open(devices);
    if (!top) return {};
    auto entries = top->list();
    if (!entries) return {};
    auto shared = std::make_shared<const SysfsDir>(std::move(*top));
    for (const auto& e : *entries)
      if (e.is_dir && is_host_bridge_dir(e.name)) stack_.push_back({shared, e.name, std::nullopt, std::nullopt});
    shared.reset();
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([this] { work(); });
    work();
    pool.clear();
    return std::move(found_);
  }

 private:
  // Beyond a few threads the kernel's path walks contend with each other.
  static constexpr unsigned kMaxThreads = 4;

  struct Task {
    std::shared_ptr<const SysfsDir> parent_dir;
    std::string name;
    std::optional<pci::Bdf> bdf;     // none for a host bridge's directory
    std::optional<pci::Bdf> parent;  // the function whose directory holds it
  };

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return !stack_.empty() || busy_ == 0; });
      if (stack_.empty()) return;  // nothing left, and nobody can add more
      // Last in, first out: a directory stays open only while its children
      // wait, so open descriptors grow with the depth, not the width.
      Task t = std::move(stack_.back());
      stack_.pop_back();
      ++busy_;
      lock.unlock();
      std::vector<Task> children;
      auto function = visit(t, children);
      lock.lock();
      --busy_;
      if (function) found_.emplace(function->bdf, std::move(*function));
      for (auto& c : children) stack_.push_back(std::move(c));
      changed_.notify_all();
    }
  }

  std::optional<PciFunction> visit(const Task& t, std::vector<Task>& children) const {
    auto dir = t.parent_dir->open_child(t.name);
    if (!dir) return std::nullopt;  // read again through the bus's link, which reports why
    std::vector<DirEntry> entries;
    std::optional<PciFunction> function;
    if (t.bdf && wanted_.count(*t.bdf)) {
      function = read_listed(*dir, *t.bdf, t.parent, &entries);
    } else if (auto listed = dir->list()) {
      entries = std::move(*listed);
    } else {
      return std::nullopt;
    }
    auto shared = std::make_shared<const SysfsDir>(std::move(*dir));
    for (const auto& e : entries) {
      if (!e.is_dir) continue;  // links such as physfn or driver are not children
      if (auto child = pci::Bdf::parse(e.name)) children.push_back({shared, e.name, *child, t.bdf});
      else if (is_host_bridge_dir(e.name)) children.push_back({shared, e.name, std::nullopt, std::nullopt});
    }
    return function;
  }

  const std::set<pci::Bdf>& wanted_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Task> stack_;
  unsigned busy_ = 0;
  std::map<pci::Bdf, PciFunction> found_;
};

}  // namespace

PciFunction read_pci_function(const SysfsRoot& root, const pci::Bdf& bdf) {
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
  return read_listed(*dir, bdf, parent);
}

std::vector<PciFunction> read_pci_functions(const SysfsRoot& root, std::vector<Error>& problems) {
  std::vector<PciFunction> out;
  auto bus = SysfsDir::open(root.pci_devices());
  auto listed = bus ? bus->list() : Result<std::vector<DirEntry>>(std::unexpected(bus.error()));
  if (!listed) {
    problems.push_back(
        Error::from_errno(listed.error().sys_errno(), root.pci_devices().string(), "cannot list PCI devices"));
    return out;
  }
  std::set<pci::Bdf> wanted;
  for (const auto& entry : *listed) {
    if (auto bdf = pci::Bdf::parse(entry.name)) wanted.insert(*bdf);
    else problems.push_back(Error(Errc::malformed, (*bus / entry.name).string(), "not a PCI address"));
  }
  auto found = TreeWalk(wanted).run(root.path() / "devices");
  out.reserve(wanted.size());
  for (const auto& bdf : wanted) {
    // A function the walk did not reach (a host bridge outside ROOT/devices,
    // a fixture without the tree) is read through its link.
    auto it = found.find(bdf);
    out.push_back(it != found.end() ? std::move(it->second) : read_pci_function(root, bdf));
  }
  return out;
}

}  // namespace vfiokit::host

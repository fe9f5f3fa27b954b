// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/simulator/kernel.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>

#include "vfiokit/host/devices/host_apertures.hpp"
#include "vfiokit/host/internal/json_fields.hpp"
#include "vfiokit/host/rebar/bridge_window.hpp"
#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/pci/caps/resizable_bar.hpp"
#include "vfiokit/simulator/resources.hpp"

namespace vfiokit::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSchema = "vfiokit.sim/1";
constexpr int kEnotsupp = 524;  // the kernel's internal ENOTSUPP, as a sysfs write returns it

struct Removed {
  pci::Bdf bdf;
  std::string parent_dir;           // relative to the root
  std::vector<pci::Bdf> functions;  // it and everything below, parents first
};

std::string trim_newline(std::string_view v) {
  if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
  return std::string(v);
}

// kstrtoul(base 0), as the stores of remove, rescan and resourceN_resize parse.
std::optional<unsigned long> parse_ulong(std::string_view v) {
  const std::string s = trim_newline(v);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long n = std::strtoul(s.c_str(), &end, 0);
  if (errno || *end || s[0] == '-') return std::nullopt;
  return n;
}

// Whether `path` (made canonical) lies below the tree `root` (canonical).
bool inside(const fs::path& root, const fs::path& path) {
  const auto rel = path.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

// Writes an attribute of the tree. The tree is the user's, so the write
// never leaves it: the file's directory must resolve inside the tree, and
// the file itself is opened without following a link and must be a
// regular file (a FIFO would not block: O_NONBLOCK).
Result<void> write_text(const fs::path& root, const fs::path& file, const std::string& text) {
  std::error_code ec;
  const auto dir = fs::canonical(file.parent_path(), ec);
  if (ec || !inside(root, dir))
    return fail(Errc::permission, file.string(), "leads out of the simulated tree; not written");
  const int fd =
      ::open((dir / file.filename()).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) return fail(Error::from_errno(errno, file.string(), "the simulated kernel could not update the tree"));
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    ok = n > 0;
    done += ok ? static_cast<size_t>(n) : 0;
  }
  ::close(fd);
  if (!ok) return fail(Errc::io, file.string(), "the simulated kernel could not update the tree");
  return {};
}

std::string hex(uint64_t v) { return fmt::format("0x{:x}", v); }

}  // namespace

struct SimulatedKernel::State {
  std::map<pci::Bdf, std::string> claims;
  std::vector<Resource> apertures;
  std::map<pci::Bdf, int> unbind_errno;
  bool preserve_config = false;
  std::vector<Removed> removed;
  std::vector<std::string> log;
};

SimulatedKernel::SimulatedKernel(fs::path root, std::unique_ptr<State> state)
    : root_(std::move(root)), state_(std::move(state)) {}
SimulatedKernel::~SimulatedKernel() = default;

fs::path SimulatedKernel::state_file(const fs::path& root) { return root / "vfiokit-sim/state.json"; }

namespace {

json state_json(const SimulatedKernel::State& s);

}  // namespace

Result<void> SimulatedKernel::setup(const fs::path& given_root, const SimulatedHostSetup& setup) {
  std::error_code ec;
  if (!fs::is_directory(given_root / "bus/pci/devices", ec))
    return fail(Errc::not_found, given_root.string(), "is not a sysfs tree (no bus/pci/devices)");
  // Canonical, as the paths the simulation computes are (a relative or
  // linked root would put moved functions back in the wrong place).
  const fs::path root = fs::canonical(given_root, ec);
  if (ec) return fail(Error::from_errno(ec.value(), given_root.string(), "cannot open the tree"));
  State s;
  s.claims = setup.claims;
  s.unbind_errno = setup.unbind_errno;
  s.preserve_config = setup.preserve_config;
  const HostView host = read_host(SysfsRoot(root));
  for (const auto& f : host.functions) {
    // Every function has a driver_override, "(null)" when unset.
    const fs::path override_file = SysfsRoot(root).device_dir(f.bdf) / "driver_override";
    if (!fs::exists(override_file, ec))
      if (auto ok = write_text(root, override_file, "(null)\n"); !ok) return ok;
  }
  for (const auto& f : host.functions)
    if (!s.claims.count(f.bdf) && !f.driver.empty() && f.driver != "vfio-pci" && f.driver != "pci-stub")
      s.claims[f.bdf] = f.driver;
  // A snapshot holds the functions' driver links but not the drivers:
  // every driver in use or named is registered.
  for (const auto& f : host.functions)
    if (!f.driver.empty()) fs::create_directories(root / "bus/pci/drivers" / f.driver, ec);
  for (const auto& [bdf, driver] : s.claims) fs::create_directories(root / "bus/pci/drivers" / driver, ec);
  for (const auto& [a, b] : setup.apertures) s.apertures.push_back({a, b, kResourceMem});
  // A snapshot keeps the host's apertures beside its tree (host_apertures.hpp).
  if (s.apertures.empty())
    if (auto kept = read_host_apertures(SysfsRoot(root)); kept) s.apertures = *kept;
  if (s.apertures.empty()) {
    uint64_t low = UINT64_MAX;
    for (const auto& f : host.functions)
      if (!f.parent)
        for (const auto& r : f.resources)
          if ((r.flags & kResourceMem) && r.size()) low = std::min(low, r.start);
    s.apertures.push_back({low == UINT64_MAX ? 0 : low, (1ull << 48) - 1, kResourceMem});
  }
  fs::create_directories(state_file(root).parent_path(), ec);
  SimulatedKernel k(root, std::make_unique<State>(std::move(s)));
  return k.save();
}

Result<std::shared_ptr<SimulatedKernel>> SimulatedKernel::open(const fs::path& given_root) {
  std::error_code ec;
  const fs::path root = fs::canonical(given_root, ec);
  if (ec || !fs::is_directory(root / "bus/pci/devices", ec))
    return fail(Errc::not_found, given_root.string(), "is not a sysfs tree (no bus/pci/devices)");
  // Confined from the first read (the setup reads the host too).
  auto confinement = Confinement::open(root);
  if (!confinement) return fail(confinement.error());
  ConfinedTree confined(std::move(*confinement));
  if (!fs::exists(state_file(root), ec))
    if (auto ok = setup(root, {}); !ok) return fail(ok.error());
  auto bytes = read_file_bytes(state_file(root), 16 << 20);
  if (!bytes) return fail(bytes.error());
  const std::string subject = state_file(root).string();
  json j = json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (j.is_discarded() || !has_schema(j, kSchema))
    return fail(Errc::malformed, subject, fmt::format("is not a {} state file", kSchema));
  auto s = std::make_unique<State>();
  try {
    auto bdf = [&](const std::string& text) {
      auto b = pci::Bdf::parse(text);
      if (!b) throw std::runtime_error(b.error().describe());
      return *b;
    };
    for (const auto& [k, v] : j.at("claims").items()) s->claims[bdf(k)] = v.get<std::string>();
    for (const auto& [k, v] : j.at("unbind_errno").items()) s->unbind_errno[bdf(k)] = integer_field<int>(v);
    for (const auto& a : j.at("apertures"))
      s->apertures.push_back({std::stoull(a.at(0).get<std::string>(), nullptr, 0),
                              std::stoull(a.at(1).get<std::string>(), nullptr, 0), kResourceMem});
    s->preserve_config = j.at("preserve_config").get<bool>();
    for (const auto& r : j.at("removed")) {
      Removed rem{bdf(r.at("bdf").get<std::string>()), r.at("parent_dir").get<std::string>(), {}};
      const fs::path parent(rem.parent_dir);
      if (parent.is_absolute() || std::find(parent.begin(), parent.end(), "..") != parent.end())
        throw std::runtime_error("parent_dir must stay inside the tree: " + rem.parent_dir);
      for (const auto& f : r.at("functions")) rem.functions.push_back(bdf(f.get<std::string>()));
      s->removed.push_back(std::move(rem));
    }
    s->log = j.at("log").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    return fail(Errc::malformed, subject, fmt::format("missing or mistyped field: {}", e.what()));
  }
  auto kernel = std::shared_ptr<SimulatedKernel>(new SimulatedKernel(root, std::move(s)));
  kernel->confined_.emplace(std::move(confined));
  return kernel;
}

namespace {

json state_json(const SimulatedKernel::State& s) {
  json claims = json::object(), unbind = json::object(), apertures = json::array(), removed = json::array();
  for (const auto& [b, d] : s.claims) claims[b.str()] = d;
  for (const auto& [b, e] : s.unbind_errno) unbind[b.str()] = e;
  for (const auto& a : s.apertures) apertures.push_back({hex(a.start), hex(a.end)});
  for (const auto& r : s.removed) {
    json fns = json::array();
    for (const auto& f : r.functions) fns.push_back(f.str());
    removed.push_back({{"bdf", r.bdf.str()}, {"parent_dir", r.parent_dir}, {"functions", fns}});
  }
  return {{"schema", kSchema},
          {"claims", claims},
          {"apertures", apertures},
          {"unbind_errno", unbind},
          {"preserve_config", s.preserve_config},
          {"removed", removed},
          {"log", s.log}};
}

}  // namespace

Result<void> SimulatedKernel::save() const {
  const fs::path file = state_file(root_);
  // A new, exclusively created temporary name: nothing planted is followed.
  return write_file_durably(file, state_json(*state_).dump(2) + "\n");
}

std::vector<std::string> SimulatedKernel::log() const { return state_->log; }

Result<void> SimulatedKernel::load_module(const std::string& name) {
  std::error_code ec;
  fs::create_directories(root_ / "bus/pci/drivers" / name, ec);
  state_->log.push_back(fmt::format("modprobe {}: {}", name, ec ? ec.message() : "ok"));
  if (auto saved = save(); !saved) return saved;
  if (ec) return fail(Error::from_errno(ec.value(), name, "the simulated modprobe failed"));
  return {};
}

Result<void> SimulatedKernel::write(const fs::path& file, std::string_view value) {
  const fs::path rel = file.lexically_relative(root_);
  auto result = rel.empty() || *rel.begin() == ".."
                    ? fail(Error::from_errno(EACCES, file.string(), "outside the simulated tree"))
                    : dispatch(rel, value);
  state_->log.push_back(
      fmt::format("{} <- {}: {}", rel.string(), trim_newline(value), result ? "ok" : result.error().describe()));
  if (auto saved = save(); !saved) return saved;
  return result;
}

namespace {

// The pieces of the simulation that act on the tree; `root` is the sysfs root.
class Tree {
 public:
  Tree(const fs::path& root, SimulatedKernel::State& state) : root_(root), state_(state) {}

  Result<void> set_override(const pci::Bdf& bdf, std::string_view value) {
    const std::string name = trim_newline(value);
    return write_text(root_, dev(bdf) / "driver_override", (name.empty() ? "(null)" : name) + "\n");
  }

  std::string driver_of(const pci::Bdf& bdf) const { return read_link_name(dev(bdf) / "driver").value_or(""); }
  std::optional<std::string> override_of(const pci::Bdf& bdf) const {
    auto o = read_attr(dev(bdf) / "driver_override");
    if (!o || !*o || **o == "(null)" || (*o)->empty()) return std::nullopt;
    return **o;
  }

  Result<void> unbind(const pci::Bdf& bdf) {
    if (driver_of(bdf).empty()) return fail(Error::from_errno(ENODEV, bdf.str(), "no driver is bound"));
    if (auto e = state_.unbind_errno.find(bdf); e != state_.unbind_errno.end())
      return fail(Error::from_errno(e->second, bdf.str(), fmt::format("{} refused to unbind", driver_of(bdf))));
    std::error_code ec;
    fs::remove(dev(bdf) / "driver", ec);
    fs::remove_all(dev(bdf) / "vfio-dev", ec);
    return {};
  }

  // bus_type->match: the override alone decides when it is set.
  bool matches(const pci::Bdf& bdf, const std::string& driver) const {
    if (auto o = override_of(bdf)) return *o == driver;
    auto c = state_.claims.find(bdf);
    return c != state_.claims.end() && c->second == driver;
  }

  Result<void> bind(const pci::Bdf& bdf, const std::string& driver) {
    std::error_code ec;
    if (!fs::exists(dev(bdf), ec)) return fail(Error::from_errno(ENODEV, bdf.str(), "no such device"));
    if (!driver_of(bdf).empty()) return fail(Error::from_errno(EBUSY, bdf.str(), "a driver is already bound"));
    if (!matches(bdf, driver))
      return fail(Error::from_errno(ENODEV, bdf.str(), fmt::format("{} does not match", driver)));
    const HostView host = read_host(SysfsRoot(root_));
    if (const PciFunction* f = host.function(bdf); f && !all_bars_assigned(*f))
      return fail(Error::from_errno(ENOMEM, bdf.str(), "probe failed: a BAR has no address (pci_enable_device)"));
    const fs::path drv = root_ / "bus/pci/drivers" / driver;
    fs::create_directories(drv, ec);
    fs::create_symlink(fs::relative(drv, fs::canonical(dev(bdf))), dev(bdf) / "driver", ec);
    if (ec) return fail(Error::from_errno(ec.value(), bdf.str(), "could not link the driver"));
    // vfio-pci makes the device's vfio cdev, as a kernel with
    // VFIO_DEVICE_CDEV does (drivers/vfio/device_cdev.c): vfio-dev/vfioN.
    if (driver == "vfio-pci") {
      unsigned n = 0;
      for (const auto& f : read_host(SysfsRoot(root_)).functions)
        if (fs::is_directory(dev(f.bdf) / "vfio-dev", ec)) ++n;
      fs::create_directories(dev(bdf) / "vfio-dev" / fmt::format("vfio{}", n), ec);
    }
    return {};
  }

  // drivers_probe: the first matching registered driver binds; none is fine.
  Result<void> probe(const pci::Bdf& bdf) {
    if (!driver_of(bdf).empty()) return {};
    std::optional<std::string> driver = override_of(bdf);
    if (!driver) {
      auto c = state_.claims.find(bdf);
      if (c == state_.claims.end()) return {};
      driver = c->second;
    }
    std::error_code ec;
    if (!fs::is_directory(root_ / "bus/pci/drivers" / *driver, ec)) return {};
    auto ok = bind(bdf, *driver);
    if (!ok && ok.error().sys_errno() == ENOMEM) return {};  // a failed probe leaves the device without a driver
    return ok;
  }

  // reset_method (drivers/pci/pci.c reset_method_store): empty disables
  // every method; otherwise each name must be a method the kernel knows
  // and one the function offered when the tree was captured.
  Result<void> set_reset_method(const pci::Bdf& bdf, std::string_view value) {
    static constexpr std::string_view kKnown[] = {"device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus"};
    const std::string text(trim_newline(value));
    std::vector<std::string> names;
    for (size_t at = 0; at < text.size();) {
      const size_t end = std::min(text.find(' ', at), text.size());
      if (end > at) names.emplace_back(text.substr(at, end - at));
      at = end + 1;
    }
    if (names.size() > 7) return fail(Error::from_errno(EINVAL, bdf.str(), "too many reset methods"));
    for (const auto& n : names)
      if (std::find(std::begin(kKnown), std::end(kKnown), n) == std::end(kKnown))
        return fail(Error::from_errno(EINVAL, bdf.str(), fmt::format("no reset method {}", n)));
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : " ") + n;
    return write_text(root_, dev(bdf) / "reset_method", names.empty() ? "" : joined + "\n");
  }

  Result<void> remove(const pci::Bdf& bdf) {
    const HostView host = read_host(SysfsRoot(root_));
    std::error_code cec;
    const fs::path dir = fs::canonical(dev(bdf), cec);
    // A function whose link leads out of the tree is not the simulator's
    // to move.
    if (cec || !inside(root_, dir))
      return fail(Errc::permission, dev(bdf).string(), "leads out of the simulated tree; not removed");
    Removed r{bdf, dir.parent_path().lexically_relative(root_).string(), subtree_of(host, bdf)};
    std::error_code ec;
    for (const auto& f : r.functions) {
      fs::remove(dev(f) / "driver", ec);
      fs::remove(root_ / "bus/pci/devices" / f.str(), ec);
    }
    fs::create_directories(removed_dir(), ec);
    fs::rename(dir, removed_dir() / bdf.str(), ec);
    if (ec) return fail(Error::from_errno(ec.value(), bdf.str(), "the simulated removal failed"));
    // Which functions left, for comparing a simulation with the kernel's
    // own account (its "pci BDF: [vvvv:dddd] type" lines when it finds them
    // again).
    std::string names;
    for (const auto& f : r.functions) names += " " + f.str();
    state_.log.push_back("removed:" + names);
    state_.removed.push_back(std::move(r));
    return {};
  }

  // Every removed function comes back as a new device: no driver_override,
  // its BARs placed again, then probed. The kernel finds every removed
  // function in one scan before it sizes and places what it found.
  Result<void> rescan() {
    std::vector<Removed> found;
    // A function removed before its bridge was returns after it: each
    // round takes the first record whose parent is in the tree again.
    while (!state_.removed.empty()) {
      std::error_code ec;
      auto it = std::find_if(state_.removed.begin(), state_.removed.end(),
                             [&](const Removed& r) { return fs::is_directory(root_ / r.parent_dir, ec); });
      if (it == state_.removed.end()) it = state_.removed.begin();
      if (auto ok = return_to_tree(*it); !ok) return ok;
      found.push_back(*it);
      state_.removed.erase(it);
    }
    if (auto ok = place_found(found); !ok) return ok;
    for (const auto& r : found)
      for (const auto& f : r.functions)
        if (auto ok = probe(f); !ok) return ok;
    return {};
  }

  Result<void> resize(const pci::Bdf& bdf, unsigned bar, std::string_view value) {
    const auto enc = parse_ulong(value);
    if (!enc || *enc > pci::rebar::kMaxEncoding)
      return fail(Error::from_errno(EINVAL, bdf.str(), "not a size encoding"));
    const HostView host = read_host(SysfsRoot(root_));
    const PciFunction* f = host.function(bdf);
    if (!f) return fail(Error::from_errno(ENODEV, bdf.str(), "no such device"));
    if (!f->driver.empty()) return fail(Error::from_errno(EBUSY, bdf.str(), fmt::format("{} is bound", f->driver)));
    if (f->sriov_numvfs.value_or(0)) return fail(Error::from_errno(EBUSY, bdf.str(), "VFs are enabled"));
    auto bitmap = read_hex_attr(dev(bdf) / fmt::format("resource{}_resize", bar), UINT64_MAX);
    if (!bitmap || !*bitmap) return fail(Error::from_errno(ENOENT, bdf.str(), "not a resizable BAR"));
    if (!((**bitmap >> *enc) & 1)) return fail(Error::from_errno(EINVAL, bdf.str(), "size not supported"));
    if (state_.preserve_config)
      return fail(Error::from_errno(kEnotsupp, bdf.str(), "the host bridge preserves the boot configuration"));
    auto updates = simulate_resize(host, bdf, bar, uint64_t(1) << (*enc + 20), state_.apertures);
    if (!updates) return fail(updates.error());
    for (const auto& u : *updates)
      if (auto ok = write_text(root_, dev(u.bdf) / "resource", resource_file_text(u.resources)); !ok) return ok;
    return set_control_size(*f, bar, unsigned(*enc));
  }

 private:
  fs::path dev(const pci::Bdf& bdf) const { return root_ / "bus/pci/devices" / bdf.str(); }

  // A removed function (with everything below it) is in the tree again,
  // as a new device: no driver_override.
  Result<void> return_to_tree(const Removed& r) {
    std::error_code ec;
    const fs::path dir = root_ / r.parent_dir / r.bdf.str();
    fs::rename(removed_dir() / r.bdf.str(), dir, ec);
    if (ec) return fail(Error::from_errno(ec.value(), r.bdf.str(), "the simulated rescan failed"));
    for (const auto& f : r.functions) {
      const fs::path fdir = find_function_dir(dir, f);
      fs::create_symlink(fs::relative(fdir, root_ / "bus/pci/devices"), root_ / "bus/pci/devices" / f.str(), ec);
      if (auto ok = write_text(root_, fdir / "driver_override", "(null)\n"); !ok) return ok;
    }
    return {};
  }

  // Where the found functions' memory goes. A bridge found again is sized
  // afresh with everything now below it (the windows it had were sized for
  // what was there then): its subtree's memory is released, then placed
  // parents first. Other functions return to their BARs' old places if free.
  Result<void> place_found(const std::vector<Removed>& found) {
    const HostView before = read_host(SysfsRoot(root_));
    std::vector<pci::Bdf> afresh;
    const auto is_afresh = [&](const pci::Bdf& b) {
      return std::find(afresh.begin(), afresh.end(), b) != afresh.end();
    };
    for (const auto& r : found) {
      const PciFunction* top = before.function(r.bdf);
      if (top && top->is_bridge() && !is_afresh(r.bdf))
        for (const auto& f : subtree_of(before, r.bdf)) afresh.push_back(f);
    }
    const auto place = [&](const pci::Bdf& f, bool windows) -> Result<void> {
      HostView host = read_host(SysfsRoot(root_));
      const PciFunction* fn = host.function(f);
      if (!fn) return {};
      if (windows && fn->is_bridge()) {
        if (auto ok =
                write_text(root_, dev(f) / "resource", resource_file_text(place_windows(host, *fn, state_.apertures)));
            !ok)
          return ok;
        host = read_host(SysfsRoot(root_));
        fn = host.function(f);
      }
      return write_text(root_, dev(f) / "resource", resource_file_text(place_returning(host, *fn, state_.apertures)));
    };
    for (const auto& f : afresh)
      if (const PciFunction* fn = before.function(f))
        if (auto ok = write_text(root_, dev(f) / "resource", resource_file_text(released_resources(*fn))); !ok)
          return ok;
    for (const auto& f : afresh)
      if (auto ok = place(f, true); !ok) return ok;
    for (const auto& r : found)
      for (const auto& f : r.functions)
        if (!is_afresh(f))
          if (auto ok = place(f, false); !ok) return ok;
    return {};
  }

  fs::path removed_dir() const { return SimulatedKernel::state_file(root_).parent_path() / "removed"; }

  static fs::path find_function_dir(const fs::path& top, const pci::Bdf& bdf) {
    if (top.filename() == bdf.str()) return top;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(top, ec); it != fs::recursive_directory_iterator(); ++it)
      if (it->is_directory() && !it->is_symlink() && it->path().filename() == bdf.str()) return it->path();
    return top / bdf.str();
  }

  // The ReBAR Control register's BAR Size field (bits 13:8) follows the resize.
  Result<void> set_control_size(const PciFunction& f, unsigned bar, unsigned enc) {
    if (!f.config) return {};
    for (const auto& cap : f.config->capabilities) {
      const auto* r = std::get_if<pci::ResizableBar>(&cap.body);
      if (!r || r->for_vfs) continue;
      for (size_t i = 0; i < r->entries.size(); ++i) {
        if (r->entries[i].bar_index != bar) continue;
        auto bytes = read_file_bytes(dev(f.bdf) / "config", 4096);
        if (!bytes) return fail(bytes.error());
        const size_t at = cap.ref.offset + 8 + 8 * i;
        if (at + 4 > bytes->size()) return {};
        uint32_t ctrl =
            (*bytes)[at] | (*bytes)[at + 1] << 8 | (*bytes)[at + 2] << 16 | uint32_t((*bytes)[at + 3]) << 24;
        ctrl = (ctrl & ~0x3F00u) | (enc << 8);
        for (int k = 0; k < 4; ++k) (*bytes)[at + k] = uint8_t(ctrl >> (8 * k));
        return write_text(root_, dev(f.bdf) / "config", std::string(bytes->begin(), bytes->end()));
      }
    }
    return {};
  }

  fs::path root_;
  SimulatedKernel::State& state_;
};

std::optional<pci::Bdf> bdf_in(const std::string& part) {
  auto b = pci::Bdf::parse(part);
  return b ? std::optional<pci::Bdf>(*b) : std::nullopt;
}

}  // namespace

Result<void> SimulatedKernel::dispatch(const fs::path& rel, std::string_view value) {
  Tree tree(root_, *state_);
  std::vector<std::string> parts;
  for (const auto& p : rel) parts.push_back(p.string());
  const auto bdf_value = [&]() -> Result<pci::Bdf> {
    auto b = pci::Bdf::parse(trim_newline(value));
    if (!b) return fail(Error::from_errno(EINVAL, rel.string(), "not a PCI address"));
    return *b;
  };
  const auto nonzero = [&] { return parse_ulong(value).value_or(0) != 0; };
  if (rel == "bus/pci/rescan") {
    if (!parse_ulong(value)) return fail(Error::from_errno(EINVAL, rel.string(), "not a number"));
    return nonzero() ? tree.rescan() : Result<void>{};
  }
  if (rel == "bus/pci/drivers_probe") {
    auto b = bdf_value();
    if (!b) return fail(b.error());
    return tree.probe(*b);
  }
  if (parts.size() == 5 && parts[0] == "bus" && parts[2] == "drivers" && (parts[4] == "bind" || parts[4] == "unbind")) {
    auto b = bdf_value();
    if (!b) return fail(b.error());
    if (parts[4] == "bind") return tree.bind(*b, parts[3]);
    if (tree.driver_of(*b) != parts[3]) return fail(Error::from_errno(ENODEV, b->str(), "not bound to that driver"));
    return tree.unbind(*b);
  }
  // A function's attribute, through bus/pci/devices/BDF or the devices/ path.
  size_t at = parts.size();
  for (size_t i = 0; i < parts.size(); ++i)
    if (bdf_in(parts[i])) at = i;
  if (at + 1 >= parts.size())
    return fail(Error::from_errno(EACCES, rel.string(), "not an attribute the simulation models"));
  const pci::Bdf bdf = *bdf_in(parts[at]);
  std::string attr;
  for (size_t i = at + 1; i < parts.size(); ++i) attr += (attr.empty() ? "" : "/") + parts[i];
  std::error_code ec;
  if (!fs::exists(root_ / "bus/pci/devices" / bdf.str(), ec))
    return fail(Error::from_errno(ENOENT, rel.string(), "no such file"));
  if (attr == "driver_override") return tree.set_override(bdf, value);
  if (attr == "driver/unbind") return tree.unbind(bdf);
  if (attr == "remove" || attr == "rescan") {
    if (!parse_ulong(value)) return fail(Error::from_errno(EINVAL, rel.string(), "not a number"));
    if (!nonzero()) return {};
    return attr == "remove" ? tree.remove(bdf) : tree.rescan();
  }
  if (attr == "d3cold_allowed") {
    const auto v = parse_ulong(value);
    if (!v) return fail(Error::from_errno(EINVAL, rel.string(), "not a number"));
    return write_text(root_, root_ / "bus/pci/devices" / bdf.str() / attr, *v ? "1\n" : "0\n");
  }
  if (attr == "reset_method") return tree.set_reset_method(bdf, value);
  unsigned bar = 0;
  char tail = 0;
  if (std::sscanf(attr.c_str(), "resource%u_resiz%c", &bar, &tail) == 2 && tail == 'e' && bar < 6 &&
      attr == fmt::format("resource{}_resize", bar))
    return tree.resize(bdf, bar, value);
  return fail(Error::from_errno(EACCES, rel.string(), "not an attribute the simulation models"));
}

Result<SysfsRoot> simulated_root(const fs::path& dir) {
  auto kernel = SimulatedKernel::open(dir);
  if (!kernel) return fail(kernel.error());
  return SysfsRoot(fs::canonical(dir)).with_writer(*kernel);
}

}  // namespace vfiokit::host

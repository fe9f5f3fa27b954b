#include "host/pci_function.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "host/device_config.hpp"
#include "host/sysfs_attr.hpp"

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

PciFunction read_pci_function(const SysfsRoot& root, const pci::Bdf& bdf) {
  PciFunction f;
  f.bdf = bdf;
  const auto dir = root.device_dir(bdf);
  auto& p = f.problems;

  // bus/pci/devices/BDF links to the function's directory, which sits inside
  // its upstream bridge's: "../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0".
  std::error_code ec;
  const auto link = std::filesystem::read_symlink(dir, ec);
  if (!ec) {
    if (auto parent = pci::Bdf::parse(link.parent_path().filename().string())) f.parent = *parent;
  }
  // One directory listing tells which attributes exist; a host with
  // thousands of functions is read with few system calls.
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.insert(e.path().filename().string());
  if (ec) {
    p.push_back(Error::from_errno(ec.value(), dir.string(), "cannot list the device directory"));
    return f;
  }
  const auto has = [&](const char* name) { return names.count(name) != 0; };
  const auto hex = [&](const char* name, uint64_t max, auto& into) {
    if (has(name)) take(read_hex_attr(dir / name, max), into, p);
  };
  const auto dec = [&](const char* name, auto& into) {
    if (has(name)) take(read_int_attr(dir / name), into, p);
  };

  hex("vendor", 0xffff, f.vendor_id);
  hex("device", 0xffff, f.device_id);
  hex("subsystem_vendor", 0xffff, f.subsystem_vendor_id);
  hex("subsystem_device", 0xffff, f.subsystem_id);
  hex("class", 0xffffff, f.class_code);
  dec("numa_node", f.numa_node);
  dec("sriov_totalvfs", f.sriov_totalvfs);
  dec("sriov_numvfs", f.sriov_numvfs);
  std::optional<int64_t> d3cold;
  dec("d3cold_allowed", d3cold);
  if (d3cold) f.d3cold_allowed = *d3cold != 0;
  if (has("power_state")) take(read_attr(dir / "power_state"), f.power_state, p);

  if (has("driver")) f.driver = read_link_name(dir / "driver").value_or("");
  if (has("driver_override")) {
    if (auto override = read_attr(dir / "driver_override"); !override) p.push_back(override.error());
    else if (*override && **override != "(null)") f.driver_override = **override;
  }
  if (has("iommu_group")) {
    const auto name = read_link_name(dir / "iommu_group").value_or("");
    unsigned group = 0;
    if (std::sscanf(name.c_str(), "%u", &group) == 1) f.iommu_group = group;
    else p.push_back(Error(Errc::malformed, (dir / "iommu_group").string(), "does not point to a group number"));
  }
  if (has("physfn"))
    if (auto phys = read_link_name(dir / "physfn"))
      if (auto b = pci::Bdf::parse(*phys)) f.physfn = *b;
  if (has("vfio-dev"))
    for (const auto& e : std::filesystem::directory_iterator(dir / "vfio-dev", ec)) f.vfio_dev = e.path().filename();

  if (has("reset_method")) {
    if (auto methods = read_attr(dir / "reset_method"); !methods) {
      p.push_back(methods.error());
    } else if (*methods) {
      std::istringstream in(**methods);
      for (std::string m; in >> m;) f.reset_methods.push_back(m);
    }
  }
  if (has("resource")) {
    if (auto res = read_attr(dir / "resource"); !res) p.push_back(res.error());
    else if (*res) f.resources = parse_resources(**res, dir / "resource", p);
  }
  for (unsigned n = 0; n < 6; ++n)
    if (has(fmt::format("resource{}_resize", n).c_str())) f.resizable_bars.push_back(n);

  if (!has("config")) {
    p.push_back(Error(Errc::not_found, (dir / "config").string(), "missing"));
  } else if (auto config = read_device_config(root, bdf); !config) {
    p.push_back(config.error());
  } else {
    f.config = pci::decode_device(config->config);
    f.config_limited = config->limited_by_privilege;
  }
  return f;
}

std::vector<PciFunction> read_pci_functions(const SysfsRoot& root, std::vector<Error>& problems) {
  std::vector<PciFunction> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(root.pci_devices(), ec);
  if (ec) {
    problems.push_back(Error::from_errno(ec.value(), root.pci_devices().string(), "cannot list PCI devices"));
    return out;
  }
  for (const auto& entry : it) {
    auto bdf = pci::Bdf::parse(entry.path().filename().string());
    if (!bdf) {
      problems.push_back(Error(Errc::malformed, entry.path().string(), "not a PCI address"));
      continue;
    }
    out.push_back(read_pci_function(root, *bdf));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.bdf < b.bdf; });
  return out;
}

}  // namespace vfiokit::host

// SPDX-License-Identifier: Apache-2.0
#include "fakes/rebar_scenario.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vfiokit/host/rebar/bridge_window.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::testing {

namespace {
constexpr uint64_t kPrefetch64 = 0x14220c, kMem32 = 0x40200, kPrefWindow = 0x102201, kMemWindow = 0x200;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

void RebarScenario::resources(const pci::Bdf& bdf, std::vector<std::array<uint64_t, 3>> lines, size_t total) {
  lines.resize(total);
  std::string text;
  for (const auto& l : lines) text += fmt::format("0x{:016x} 0x{:016x} 0x{:016x}\n", l[0], l[1], l[2]);
  std::ofstream(sysfs_.device_dir(bdf) / "resource") << text;
}

RebarScenario::RebarScenario(bool siblings, host::SimulatedHostSetup setup) {
  ConfigBuilder rp;
  rp.ids(0x8086, 0x7a38).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::root_port);
  ConfigBuilder g;
  g.ids(0x1002, 0x73bf).class_code(0x030000).header_type(0, siblings).pci_express(0x40, pci::PcieType::endpoint);
  g.rebar(0x100, {{0, 0x7F00, 8}});
  sysfs_.add(port, rp).add(gpu, g, port, "amdgpu").add(nic_port, rp);
  ConfigBuilder n;
  n.ids(0x8086, 0x10d3).class_code(0x020000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  sysfs_.add(nic, n, nic_port, "e1000e");
  std::vector<std::array<uint64_t, 3>> windows(17);
  windows[15] = {0x80000000, 0xbfffffff, kPrefWindow};
  resources(port, windows, 17);
  windows[15] = {};
  windows[14] = {0xc0000000, 0xc00fffff, kMemWindow};
  resources(nic_port, windows, 17);
  resources(gpu, {{0x80000000, 0x8fffffff, kPrefetch64}}, 13);
  resources(nic, {{0xc0000000, 0xc001ffff, kMem32}}, 13);
  std::ofstream(sysfs_.device_dir(gpu) / "resource0_resize") << "0000000000007f00\n";
  if (siblings) {
    ConfigBuilder a;
    a.ids(0x1002, 0xab28).class_code(0x040300).header_type(0, true).pci_express(0x40, pci::PcieType::endpoint);
    ConfigBuilder x;
    x.ids(0x1002, 0x1234).class_code(0x120000).header_type(0, true).pci_express(0x40, pci::PcieType::endpoint);
    sysfs_.add(audio, a, port, "snd_hda_intel").add(accel, x, port, "vfio-pci");
    resources(audio, {{0x90000000, 0x90ffffff, kPrefetch64}}, 13);
    resources(accel, {{}, {}, {0x92000000, 0x93ffffff, kPrefetch64}}, 13);
    std::ofstream(sysfs_.device_dir(accel) / "driver_override") << "vfio-pci\n";
  }
  if (setup.apertures.empty()) setup.apertures = {{0x80000000, 0xffffffff}};
  // As a snapshot keeps them: /proc/iomem's lines beside the tree.
  std::string iomem;
  for (const auto& [a, b] : setup.apertures) iomem += fmt::format("{:08x}-{:08x} : PCI Bus 0000:00\n", a, b);
  std::ofstream(sysfs_.root().parent_path() / "iomem") << iomem;
  if (auto ok = host::SimulatedKernel::setup(dir(), setup); !ok) throw std::runtime_error(ok.error().describe());
}

RebarScenario::RebarScenario(BehindSwitch) {
  ConfigBuilder rp;
  rp.ids(0x8086, 0x7a38).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::root_port);
  ConfigBuilder up;
  up.ids(0x104c, 0x8232).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::upstream_port);
  ConfigBuilder down;
  down.ids(0x104c, 0x8233).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::downstream_port);
  ConfigBuilder g;
  g.ids(0x1002, 0x73bf).class_code(0x030000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  g.rebar(0x100, {{0, 0x7FF8, 4}});
  ConfigBuilder x;
  x.ids(0x1002, 0x1234).class_code(0x120000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  sysfs_.add(port, rp, std::nullopt, "pcieport")
      .add(switch_up, up, port, "pcieport")
      .add(switch_down, down, switch_up, "pcieport")
      .add(switch_down_sibling, down, switch_up, "pcieport")
      .add(switch_gpu, g, switch_down, "amdgpu")
      .add(switch_sibling, x, switch_down_sibling, "vfio-pci")
      .add(nic_port, rp);
  std::vector<std::array<uint64_t, 3>> windows(17);
  windows[15] = {0x80000000, 0x81ffffff, kPrefWindow};
  resources(port, windows, 17);
  resources(switch_up, windows, 17);
  windows[15] = {0x80000000, 0x80ffffff, kPrefWindow};
  resources(switch_down, windows, 17);
  windows[15] = {0x81000000, 0x81ffffff, kPrefWindow};
  resources(switch_down_sibling, windows, 17);
  windows[15] = {};
  windows[14] = {0xc0000000, 0xc00fffff, kMemWindow};
  resources(nic_port, windows, 17);
  resources(switch_gpu, {{0x80000000, 0x80ffffff, kPrefetch64}}, 13);
  resources(switch_sibling, {{0x81000000, 0x81ffffff, kPrefetch64}}, 13);
  std::ofstream(sysfs_.device_dir(switch_gpu) / "resource0_resize") << "0000000000007ff8\n";
  std::ofstream(sysfs_.device_dir(switch_sibling) / "driver_override") << "vfio-pci\n";
  std::ofstream(sysfs_.root().parent_path() / "iomem") << "80000000-ffffffff : PCI Bus 0000:00\n";
  if (auto ok = host::SimulatedKernel::setup(dir(), {}); !ok) throw std::runtime_error(ok.error().describe());
}

host::SysfsRoot RebarScenario::root() const {
  auto r = host::simulated_root(dir());
  if (!r) throw std::runtime_error(r.error().describe());
  return *r;
}

std::string RebarScenario::state() const {
  const host::SysfsRoot plain(dir());
  std::string out;
  for (const auto& f : host::read_host(plain).functions) {
    out += fmt::format("{} driver={} override={}\n", f.bdf.str(), f.driver, f.driver_override.value_or("-"));
    out += slurp(plain.device_dir(f.bdf) / "resource");
  }
  return out;
}

std::string RebarScenario::sizes_and_bindings() const {
  std::string out;
  for (const auto& f : host::read_host(host::SysfsRoot(dir())).functions) {
    out += fmt::format("{} driver={} override={}:", f.bdf.str(), f.driver, f.driver_override.value_or("-"));
    for (size_t i = 0; i < host::own_resource_lines(f); ++i)
      if (f.resources[i].size()) out += fmt::format(" {}={:#x}/{:#x}", i, f.resources[i].size(), f.resources[i].flags);
    out += "\n";
  }
  return out;
}

std::vector<std::string> RebarScenario::kernel_log() const {
  auto k = host::SimulatedKernel::open(dir());
  if (!k) throw std::runtime_error(k.error().describe());
  return (*k)->log();
}

}  // namespace vfiokit::testing

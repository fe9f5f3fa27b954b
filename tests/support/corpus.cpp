// SPDX-License-Identifier: Apache-2.0
#include "support/corpus.hpp"

#include <fstream>

#include "support/config_builder.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace vfiokit::testing {
namespace {

using pci::PcieType;

constexpr uint64_t bits(unsigned first, unsigned last) {
  uint64_t v = 0;
  for (unsigned i = first; i <= last; ++i) v |= uint64_t{1} << i;
  return v;
}

ConfigBuilder endpoint(uint16_t vendor, uint16_t device, uint32_t class_code) {
  ConfigBuilder b;
  b.ids(vendor, device).class_code(class_code).header_type(0).command(0x0406);
  return b;
}

ConfigBuilder bridge(uint16_t vendor, uint16_t device) {
  ConfigBuilder b;
  b.ids(vendor, device).class_code(0x060400).header_type(1).command(0x0407);
  b.u8(0x18, 0x00).u8(0x19, 0x02).u8(0x1a, 0x05);
  b.u8(0x1c, 0xf1).u8(0x1d, 0x01);  // no I/O window (base > limit), 32-bit I/O
  b.u16(0x20, 0xfe00).u16(0x22, 0xfe1f);
  b.u16(0x24, 0x0001).u16(0x26, 0x03f1).u32(0x28, 0x00000040).u32(0x2c, 0x00000041);
  return b;
}

}  // namespace

std::vector<CorpusDevice> synthetic_corpus() {
  std::vector<CorpusDevice> out;
  const auto add = [&](std::string name, pci::Bdf bdf, const ConfigBuilder& b) {
    out.push_back(CorpusDevice{std::move(name), bdf, b.build()});
  };

  {  // A GPU-like function with three resizable BARs, one using extended sizes.
    auto b = endpoint(0x10de, 0x2684, 0x030000);
    b.u32(0x10, 0xf6000000).u32(0x14, 0x0000000c).u32(0x18, 0x00000060).u32(0x1c, 0x0000000c).u32(0x20, 0x00000070);
    b.power_management(0x60, 0x0603, 0x0008).cap(0x68, 0x05, {0x80, 0x00}).pci_express(0x78, PcieType::endpoint, true);
    b.ext_cap(0x100, 0x0001, 2);
    b.rebar(0x140, {{1, bits(8, 14), 8}, {3, bits(0, 3), 1}, {5, bits(0, 0) | bits(28, 30), 28}});
    b.dsn(0x180, 0x0123456789abcdefull);
    add("gpu-three-rebars", pci::Bdf(0, 0x01, 0, 0), b);
  }
  {  // Extended sizes only, current size beyond the 5-bit field Linux reads.
    auto b = endpoint(0x1002, 0x744c, 0x038000);
    b.pci_express(0x50, PcieType::endpoint);
    b.rebar(0x100, {{0, bits(19, 19) | bits(33, 43), 33}});
    add("extended-sizes", pci::Bdf(0, 0x02, 0, 0), b);
  }
  {  // A root port offering SV RR CR UF but enabling only SV and UF.
    auto b = bridge(0x8086, 0x7a38);
    b.pci_express(0x40, PcieType::root_port).msix(0x80, 1, 0, 0x800).power_management(0x90, 0xc803, 0x0000);
    b.ext_cap(0x100, 0x0001, 2);
    b.acs(0x140, 0x005f, 0x0011);
    add("partial-acs-root-port", pci::Bdf(0, 0x00, 0x1c, 0), b);
  }
  {  // A downstream port without Request Redirect: the kernel treats it as on.
    auto b = bridge(0x10b5, 0x8747);
    b.pci_express(0x68, PcieType::downstream_port);
    b.ext_cap(0x100, 0x0001, 1);
    b.acs(0x148, 0x0019, 0x0019);
    add("acs-without-rr", pci::Bdf(0, 0x03, 0x08, 0), b);
  }
  {  // An SR-IOV physical function whose VF BARs are resizable.
    auto b = endpoint(0x15b3, 0x101d, 0x020000);
    b.u32(0x10, 0x0000000c).u32(0x14, 0x00000060);
    b.pci_express(0x60, PcieType::endpoint, true).msix(0x9c, 64, 0x2000, 0x3000);
    b.ext_cap(0x100, 0x0001, 2);
    b.ext_cap(0x150, 0x000e, 1).u16(0x154, 0x0100);
    b.sriov(0x180, 16, 4, 0x101e);
    b.rebar(0x1c0, {{0, bits(0, 10), 5}}, true);
    b.rebar(0x1e0, {{0, bits(4, 9), 9}});
    add("sriov-vf-rebar", pci::Bdf(0, 0x05, 0, 0), b);
  }
  {  // An extended chain that loops back after two entries.
    auto b = endpoint(0x8086, 0x1533, 0x020000);
    b.pci_express(0x70, PcieType::endpoint).msix(0xa0, 5, 0x3, 0x2003);
    b.ext_cap(0x100, 0x0001, 2);
    b.acs(0x140, 0x001f, 0x001f);
    b.rebar(0x160, {{0, bits(0, 4), 2}});
    b.u32(0x160, (b.bytes()[0x160] | b.bytes()[0x161] << 8 | 1u << 16) | 0x140u << 20);
    add("looped-extended-chain", pci::Bdf(0, 0x06, 0, 0), b);
  }
  {  // A standard chain that loops back to its first entry.
    auto b = endpoint(0x144d, 0xa808, 0x010802);
    b.power_management(0x40, 0x0003, 0x0008).cap(0x50, 0x05, {0x80, 0x01}).pci_express(0x70, PcieType::endpoint, true);
    b.u8(0x71, 0x40);
    add("looped-standard-chain", pci::Bdf(0, 0x07, 0, 0), b);
  }
  {  // An NVMe-like function: FLR, MSI-X in BAR0, PM with No_Soft_Reset.
    auto b = endpoint(0x1b36, 0x0010, 0x010802);
    b.u32(0x10, 0xfe800004);
    b.msix(0x40, 65, 0x2000, 0x3000).power_management(0x80, 0x0003, 0x0008).pci_express(0x60, PcieType::endpoint, true);
    add("nvme-like", pci::Bdf(0, 0x08, 0, 0), b);
  }
  {  // Function 0 of a multifunction device without ACS.
    auto b = endpoint(0x8086, 0x10d3, 0x020000);
    b.header_type(0, true).u32(0x10, 0xfea00000).u32(0x18, 0x0000c001);
    b.power_management(0xc8, 0xc822, 0x2000).pci_express(0xe0, PcieType::endpoint);
    b.ext_cap(0x100, 0x0001, 1);
    b.dsn(0x140, 0x00005254001234ffull);
    add("multifunction-no-acs", pci::Bdf(0, 0x09, 0, 0), b);
  }
  {  // A conventional PCI-to-PCI bridge: 256 bytes, no PCIe capability.
    ConfigBuilder b(256);
    b.ids(0x1b36, 0x0001).class_code(0x060400).header_type(1).command(0x0003);
    b.u8(0x19, 0x0a).u8(0x1a, 0x0a).u16(0x20, 0xfd00).u16(0x22, 0xfd0f);
    b.cap(0x40, 0x0c).cap(0x48, 0x05, {0x80, 0x00});
    add("conventional-bridge", pci::Bdf(0, 0x0a, 0, 0), b);
  }
  {  // QEMU's pci-bridge with chassis_nr: Slot Identification (2 slots,
     // first in chassis 3) beside its hot-plug and MSI capabilities.
    ConfigBuilder b(256);
    b.ids(0x1b36, 0x0001).class_code(0x060400).header_type(1).command(0x0007);
    b.u8(0x19, 0x0b).u8(0x1a, 0x0b);
    b.cap(0x40, 0x0c).cap(0x48, 0x05, {0x80, 0x00}).cap(0x50, 0x04, {0x22, 0x03});
    add("pci-bridge-slot-id", pci::Bdf(0, 0x0b, 0, 0), b);
  }
  return out;
}

void write_corpus(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& device : synthetic_corpus()) {
    std::ofstream out(dir / (device.name + ".lspci"));
    out << pci::format_dump(device.bdf, device.name, device.config);
  }
}

}  // namespace vfiokit::testing

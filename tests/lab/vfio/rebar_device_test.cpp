// SPDX-License-Identifier: Apache-2.0
// The lab's Resizable BAR device (lab/qemu/) after a real resize, through
// VFIO on every backend: the BAR region has the size the kernel now gives
// the BAR, the whole of it maps, and data written to its last page through
// the mapping reads back through the device fd (pread), and the other way.
// Suite "rebar-device" runs it (lab/topologies/rebar-device.topo) after
// resizing and binding the devices with vfiokit; every vfiokit-rebar
// function on vfio-pci is checked, and none being bound fails the test.
#include <cstring>

#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;
constexpr uint16_t kRebarDevice = 0xba12;
constexpr uint32_t kBar2 = 2;
constexpr uint64_t kPage = 4096;

std::vector<pci::Bdf> rebar_devices_on_vfio() {
  const host::SysfsRoot root("/sys");
  std::vector<pci::Bdf> out;
  for (const auto& d : find_devices(guest_devices(root), kQemu, kRebarDevice))
    if (driver_of(d.bdf) == "vfio-pci") out.push_back(d.bdf);
  return out;
}

class RebarDevice : public ::testing::TestWithParam<BackendKind> {};

TEST_P(RebarDevice, TheWholeResizedBarMapsAndItsLastPageReadsBack) {
  const auto devices = rebar_devices_on_vfio();
  ASSERT_FALSE(devices.empty()) << "no vfiokit-rebar function is bound to vfio-pci";
  for (const auto& bdf : devices) {
    SCOPED_TRACE(bdf.str());
    const uint64_t size = host::read_pci_function(host::SysfsRoot("/sys"), bdf).resources.at(kBar2).size();
    ASSERT_GE(size, kPage);
    auto dev = open_or_fail(bdf, GetParam());
    ASSERT_TRUE(dev);
    auto info = dev->region_info(kBar2);
    ASSERT_TRUE(info) << info.error().describe();
    EXPECT_EQ(info->size, size) << "VFIO's BAR 2 region is not the size the kernel gave the BAR";
    ASSERT_TRUE(info->mmappable());
    auto mapped = dev->map_region(kBar2);
    ASSERT_TRUE(mapped) << mapped.error().describe();
    ASSERT_TRUE((*mapped)->mapped(0, size)) << "the whole BAR is not mapped";
    const vfio::Mmio mmio = (*mapped)->mmio();
    const uint64_t last = size - kPage;
    // Through the mapping, read back through the device fd.
    for (uint64_t off = 0; off < kPage; off += 8) mmio.write64(last + off, 0x5eed000000000000ull ^ (size + off));
    std::vector<uint8_t> page(kPage);
    VFIOKIT_ASSERT_OK(dev->read_region(kBar2, last, page));
    for (uint64_t off = 0; off < kPage; off += 8) {
      uint64_t v = 0;
      std::memcpy(&v, page.data() + off, 8);
      ASSERT_EQ(v, 0x5eed000000000000ull ^ (size + off)) << "at offset 0x" << std::hex << last + off;
    }
    // Through the device fd, read back through the mapping.
    for (uint64_t off = 0; off < kPage; off += 8) {
      const uint64_t v = ~(size + off);
      std::memcpy(page.data() + off, &v, 8);
    }
    VFIOKIT_ASSERT_OK(dev->write_region(kBar2, last, page));
    for (uint64_t off = 0; off < kPage; off += 8) ASSERT_EQ(mmio.read64(last + off), ~(size + off));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RebarDevice, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab

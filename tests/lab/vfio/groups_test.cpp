// SPDX-License-Identifier: Apache-2.0
// Groups with more than one device, through vfiokit on every backend: the
// multifunction slot (viability, a shared address space, hot reset of both
// functions) and the PCIe-to-PCI bridge group.
#include <cstring>

#include "edu.hpp"
#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;

class Groups : public ::testing::TestWithParam<BackendKind> {};

// With fn0 still on e1000e the group is not viable; the error names it. And
// nothing is left behind: once fn0 goes to vfio-pci too, the same open works.
TEST_P(Groups, NotViableGroupNamesTheHostBoundFunction) {
  const auto& t = topology();
  ASSERT_TRUE(bind_host(t.mf_e1000e));
  ASSERT_EQ(driver_of(t.mf_e1000e), "e1000e");
  ASSERT_TRUE(bind_vfio(t.mf_edu));
  auto dev = vfio::Device::open(t.mf_edu, choice_of(GetParam()));
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code(), Errc::permission);
  const std::string text = dev.error().describe();
  EXPECT_NE(text.find("not viable"), std::string::npos) << text;
  EXPECT_NE(text.find(t.mf_e1000e.str() + " is bound to e1000e"), std::string::npos) << text;

  ASSERT_TRUE(bind_vfio(t.mf_e1000e));
  auto again = vfio::Device::open(t.mf_edu, choice_of(GetParam()));
  ASSERT_TRUE(again) << again.error().describe();
}

// Both functions in one address space; a hot reset covers both and is
// allowed because both are owned.
TEST_P(Groups, HotResetOfTheTwoFunctionGroup) {
  const auto& t = topology();
  ASSERT_TRUE(bind_vfio(t.mf_e1000e));
  ASSERT_TRUE(bind_vfio(t.mf_edu));
  auto backend = vfio::open_backend(GetParam());
  ASSERT_TRUE(backend) << backend.error().describe();
  auto nic = vfio::Device::open(*backend, t.mf_e1000e);
  ASSERT_TRUE(nic) << nic.error().describe();
  auto edu_vfio = vfio::Device::open(*backend, t.mf_edu);
  ASSERT_TRUE(edu_vfio) << edu_vfio.error().describe();
  auto edu = edu::Device::attach(**edu_vfio);
  ASSERT_TRUE(edu) << edu.error().describe();

  auto info = (*edu_vfio)->hot_reset_info();
  ASSERT_TRUE(info) << info.error().describe();
  std::vector<pci::Bdf> affected;
  for (const auto& p : info->peers) {
    affected.push_back(p.bdf);
    EXPECT_TRUE(p.owned_by_caller()) << p.bdf.str();
  }
  EXPECT_EQ(affected, (std::vector<pci::Bdf>{t.mf_e1000e, t.mf_edu}));

  // Leave a mark that a reset clears: e1000e's interrupt mask (edu has no
  // reset handler in QEMU, so it only has to answer afterwards).
  auto nic_bar = (*nic)->map_region(0);
  ASSERT_TRUE(nic_bar);
  VFIOKIT_ASSERT_OK((*nic_bar)->write<uint32_t>(0xD0, 0x4));  // IMS
  ASSERT_EQ(*(*nic_bar)->read<uint32_t>(0xD0), 0x4u);
  VFIOKIT_ASSERT_OK((*edu_vfio)->hot_reset());
  EXPECT_EQ(*(*nic_bar)->read<uint32_t>(0xD0), 0u);
  EXPECT_EQ(edu->id(), edu::kExpectedId);

  // One DMA space for both: a mapping made for one serves the other.
  EXPECT_EQ(&(*nic)->backend(), &(*edu_vfio)->backend());
}

// The PCIe-to-PCI bridge aliases its conventional devices: one group of
// three, opened together; edu's DMA works through the bridge's requester ID.
TEST_P(Groups, PcieToPciBridgeGroup) {
  const auto& t = topology();
  for (const auto& bdf : t.behind_bridge) ASSERT_TRUE(bind_vfio(bdf)) << bdf.str();
  auto backend = vfio::open_backend(GetParam());
  ASSERT_TRUE(backend);
  std::vector<std::unique_ptr<vfio::Device>> devices;
  for (const auto& bdf : t.behind_bridge) {
    auto dev = vfio::Device::open(*backend, bdf);
    ASSERT_TRUE(dev) << dev.error().describe();
    devices.push_back(std::move(*dev));
  }
  vfio::Device* edu_vfio = nullptr;
  for (auto& d : devices)
    if (d->address() == vfio::DeviceAddress(t.bridge_edu)) edu_vfio = d.get();
  ASSERT_TRUE(edu_vfio);
  auto edu = edu::Device::attach(*edu_vfio);
  ASSERT_TRUE(edu) << edu.error().describe();
  auto buffer = vfio::DmaBuffer::allocate(2 * 4096);
  ASSERT_TRUE(buffer);
  std::memset(buffer->data(), 0x3c, 4096);
  auto mapping =
      vfio::DmaMapping::map(*backend, buffer->bytes(), vfio::DmaAccess::read_write, {.last_usable = edu::kDmaLimit});
  ASSERT_TRUE(mapping) << mapping.error().describe();
  VFIOKIT_ASSERT_OK(edu->to_device(mapping->iova(), 256));
  VFIOKIT_ASSERT_OK(edu->from_device(mapping->iova() + 4096, 256));
  EXPECT_EQ(buffer->data()[4096 + 255], 0x3c);
  // A secondary bus reset of the bridge reaches all three.
  auto info = edu_vfio->hot_reset_info();
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->peers.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Groups, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab

// SPDX-License-Identifier: Apache-2.0
// QEMU's edu device through vfiokit on every backend: regions, MMIO, DMA
// through an IOVA, IOMMU isolation after unmap, MSI and INTx.
#include "edu.hpp"

#include <cstring>
#include <fstream>

#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;
using vfio::DmaAccess;
using vfio::PciIrq;

class Edu : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bind_vfio(topology().edu)) << "cannot bind " << topology().edu.str();
    vfio_ = open_or_fail(topology().edu, GetParam());
    ASSERT_TRUE(vfio_);
    auto dev = edu::Device::attach(*vfio_);
    ASSERT_TRUE(dev) << dev.error().describe();
    edu_.emplace(*dev);
  }
  std::unique_ptr<vfio::Device> vfio_;
  std::optional<edu::Device> edu_;
};

TEST_P(Edu, DeviceInfoRegionsAndConfig) {
  EXPECT_EQ(vfio_->backend().kind(), GetParam());
  EXPECT_TRUE(vfio_->info().is_pci());
  EXPECT_GE(vfio_->info().num_regions, vfio::kPciRegionCount);
  EXPECT_EQ(vfio_->info().num_irqs, vfio::kPciIrqCount);
  auto bar0 = vfio_->region_info(0);
  ASSERT_TRUE(bar0) << bar0.error().describe();
  EXPECT_EQ(bar0->size, 1u << 20);
  EXPECT_TRUE(bar0->readable() && bar0->writable() && bar0->mmappable());
  auto bar1 = vfio_->region_info(1);
  ASSERT_TRUE(bar1);
  EXPECT_FALSE(bar1->implemented());
  // The config region, decoded by pci/: the same IDs sysfs shows.
  auto config = vfio_->decode_config();
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->header.vendor_id, kQemu);
  EXPECT_EQ(config->header.device_id, kEdu);
  EXPECT_FALSE(config->has_defects());
}

TEST_P(Edu, MmioThroughMappingAndThroughPread) {
  EXPECT_EQ(edu_->id(), edu::kExpectedId);
  EXPECT_EQ(edu_->liveness(0x12345678), ~0x12345678u);
  // The same register through pread on the device fd.
  uint32_t id = 0;
  VFIOKIT_ASSERT_OK(vfio_->read_region(0, edu::kId, {reinterpret_cast<uint8_t*>(&id), 4}));
  EXPECT_EQ(id, edu::kExpectedId);
  // And through the checked accessor of the mapped region.
  auto region = vfio_->map_region(0);
  ASSERT_TRUE(region);
  auto checked = (*region)->read<uint32_t>(edu::kId);
  ASSERT_TRUE(checked);
  EXPECT_EQ(*checked, edu::kExpectedId);
  EXPECT_FALSE((*region)->read<uint32_t>(1u << 20));  // one past the end
  auto fact = edu_->factorial(10);
  ASSERT_TRUE(fact) << fact.error().describe();
  EXPECT_EQ(*fact, 3628800u);
}

TEST_P(Edu, DmaRamToDeviceToRamThroughAnIova) {
  auto buffer = vfio::DmaBuffer::allocate(2 * 4096);
  ASSERT_TRUE(buffer);
  for (int i = 0; i < 4096; ++i) buffer->data()[i] = uint8_t(i * 7 + 3);
  auto mapping = vfio::DmaMapping::map(vfio_->shared_backend(), buffer->bytes(), DmaAccess::read_write,
                                       {.last_usable = edu::kDmaLimit});
  ASSERT_TRUE(mapping) << mapping.error().describe();
  EXPECT_LE(mapping->iova().value() + mapping->size() - 1, edu::kDmaLimit);
  VFIOKIT_ASSERT_OK(edu_->to_device(mapping->iova(), edu::kMaxTransfer));
  VFIOKIT_ASSERT_OK(edu_->from_device(mapping->iova() + 4096, edu::kMaxTransfer));
  EXPECT_EQ(std::memcmp(buffer->data(), buffer->data() + 4096, edu::kMaxTransfer), 0);
  EXPECT_EQ(buffer->data()[4096 + edu::kMaxTransfer], 0);  // nothing beyond the transfer
}

// 2 MiB huge pages, mapped at a 2 MiB-aligned IOVA so the IOMMU can use one
// large page-table entry.
TEST_P(Edu, DmaFromHugetlbMemory) {
  std::ofstream("/proc/sys/vm/nr_hugepages") << 4;
  auto buffer = vfio::DmaBuffer::allocate(2 << 20, vfio::DmaMemory::hugetlb_2m);
  ASSERT_TRUE(buffer) << buffer.error().describe();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer->data()) % (2 << 20), 0u);
  for (int i = 0; i < 4096; ++i) buffer->data()[i] = uint8_t(i ^ 0x5a);
  auto mapping = vfio::DmaMapping::map(vfio_->shared_backend(), buffer->bytes(), DmaAccess::read_write,
                                       {.align = 2 << 20, .last_usable = edu::kDmaLimit});
  ASSERT_TRUE(mapping) << mapping.error().describe();
  EXPECT_EQ(mapping->iova().value() % (2 << 20), 0u);
  VFIOKIT_ASSERT_OK(edu_->to_device(mapping->iova(), edu::kMaxTransfer));
  VFIOKIT_ASSERT_OK(edu_->from_device(mapping->iova() + (1 << 20), edu::kMaxTransfer));
  EXPECT_EQ(std::memcmp(buffer->data(), buffer->data() + (1 << 20), edu::kMaxTransfer), 0);
}

// After unmap the IOMMU must stop the device: a DMA to the old IOVA does not
// reach the memory that was mapped there.
TEST_P(Edu, DmaToAnUnmappedIovaDoesNotReachMemory) {
  auto buffer = vfio::DmaBuffer::allocate(4096);
  ASSERT_TRUE(buffer);
  auto mapping = vfio::DmaMapping::map(vfio_->shared_backend(), buffer->bytes(), DmaAccess::read_write,
                                       {.last_usable = edu::kDmaLimit});
  ASSERT_TRUE(mapping) << mapping.error().describe();
  const vfio::Iova old = mapping->iova();
  // Fill the device buffer with a known pattern from a mapped page first.
  std::memset(buffer->data(), 0x5a, 4096);
  VFIOKIT_ASSERT_OK(edu_->to_device(old, edu::kMaxTransfer));
  VFIOKIT_ASSERT_OK(mapping->unmap());
  EXPECT_EQ(vfio_->backend().iova_space().allocation_count(), 0u);
  std::memset(buffer->data(), 0xAA, 4096);
  VFIOKIT_ASSERT_OK(edu_->from_device(old, edu::kMaxTransfer));  // the device "completes"; the IOMMU faults it
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(buffer->data()[i], 0xAA) << "byte " << i << " was written after unmap";
}

TEST_P(Edu, MsiOnRaiseAndOnDmaCompletion) {
  auto info = vfio_->irq_info(vfio::irq_index(PciIrq::msi));
  ASSERT_TRUE(info);
  EXPECT_GE(info->count, 1u);
  EXPECT_TRUE(info->eventfd());
  auto vectors = vfio_->enable_irq(vfio::irq_index(PciIrq::msi), 1);
  ASSERT_TRUE(vectors) << vectors.error().describe();
  edu_->raise_irq(0x1234);
  auto n = (*vectors)[0].wait(3000);
  ASSERT_TRUE(n);
  EXPECT_GE(*n, 1u);
  EXPECT_EQ(edu_->ack_irq(), 0x1234u);

  auto buffer = vfio::DmaBuffer::allocate(4096);
  ASSERT_TRUE(buffer);
  auto mapping = vfio::DmaMapping::map(vfio_->shared_backend(), buffer->bytes(), DmaAccess::read_write,
                                       {.last_usable = edu::kDmaLimit});
  ASSERT_TRUE(mapping);
  VFIOKIT_ASSERT_OK(edu_->from_device(mapping->iova(), 64, /*irq=*/true));
  n = (*vectors)[0].wait(3000);
  ASSERT_TRUE(n);
  EXPECT_GE(*n, 1u);
  EXPECT_EQ(edu_->ack_irq(), edu::kDmaIrqValue);
  VFIOKIT_ASSERT_OK(vfio_->disable_irq(vfio::irq_index(PciIrq::msi)));
  EXPECT_TRUE(vfio_->irq_eventfds(vfio::irq_index(PciIrq::msi)).empty());
}

// INTx is level-triggered: VFIO masks it when it fires (AUTOMASKED) and the
// driver unmasks after acknowledging the device.
TEST_P(Edu, IntxIsAutomaskedAndUnmasked) {
  auto info = vfio_->irq_info(vfio::irq_index(PciIrq::intx));
  ASSERT_TRUE(info);
  ASSERT_EQ(info->count, 1u);
  EXPECT_TRUE(info->automasked());
  EXPECT_TRUE(info->maskable());
  auto vectors = vfio_->enable_irq(vfio::irq_index(PciIrq::intx), 1);
  ASSERT_TRUE(vectors) << vectors.error().describe();
  for (uint32_t round = 0; round < 2; ++round) {
    edu_->raise_irq(0x10 + round);
    auto n = (*vectors)[0].wait(3000);
    ASSERT_TRUE(n);
    EXPECT_GE(*n, 1u) << "round " << round;
    EXPECT_EQ(edu_->ack_irq(), 0x10 + round);
    VFIOKIT_ASSERT_OK(vfio_->unmask_irq(vfio::irq_index(PciIrq::intx)));
  }
  // Masked by the user: a raise is held back until unmask.
  VFIOKIT_ASSERT_OK(vfio_->mask_irq(vfio::irq_index(PciIrq::intx)));
  edu_->raise_irq(0x99);
  auto held = (*vectors)[0].wait(300);
  ASSERT_TRUE(held);
  EXPECT_EQ(*held, 0u);
  VFIOKIT_ASSERT_OK(vfio_->unmask_irq(vfio::irq_index(PciIrq::intx)));
  auto released = (*vectors)[0].wait(3000);
  ASSERT_TRUE(released);
  EXPECT_GE(*released, 1u);
  edu_->ack_irq();
}

TEST_P(Edu, FunctionResetAndHotReset) {
  auto info = vfio_->hot_reset_info();
  ASSERT_TRUE(info) << info.error().describe();
  ASSERT_EQ(info->peers.size(), 1u);  // alone below its root port
  EXPECT_EQ(info->peers[0].bdf, topology().edu);
  EXPECT_EQ(info->peers[0].is_devid, GetParam() == BackendKind::iommufd);
  edu_->liveness(0);
  VFIOKIT_ASSERT_OK(vfio_->hot_reset());
  EXPECT_EQ(edu_->id(), edu::kExpectedId);
  // edu has no FLR; alone on its bus, the kernel resets it with a bus reset
  // (reset_method "bus"), which VFIO_DEVICE_RESET uses. Without any method
  // the call is refused with the reason.
  auto reset = vfio_->reset();
  if (vfio_->info().reset_supported()) {
    EXPECT_TRUE(reset) << reset.error().describe();
    EXPECT_EQ(edu_->id(), edu::kExpectedId);
  } else {
    ASSERT_FALSE(reset);
    EXPECT_EQ(reset.error().code(), Errc::unsupported);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Edu, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab

// SPDX-License-Identifier: Apache-2.0
// e1000e (INTx, MSI-X, ERR/REQ, PM) and nvme (FLR, MSI-X, the MSI-X table
// inside BAR0) through vfiokit on every backend.
#include <chrono>
#include <thread>

#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/pci/caps/msix.hpp"
#include "vfiokit/pci/caps/power_management.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;
using vfio::PciIrq;

// e1000e registers (Intel 82574 datasheet, section 10.2).
constexpr uint64_t kIcr = 0xC0, kItr = 0xC4, kIcs = 0xC8, kIms = 0xD0, kImc = 0xD8, kIvar = 0xE4;
constexpr uint64_t kEitr0 = 0xE8;         // 5 registers, one per MSI-X vector
constexpr uint32_t kIcrLsc = 1u << 2;     // link status change, an "other" cause
constexpr uint32_t kIcrOther = 1u << 24;  // MSI-X mode: "other causes" summary, routed by IVAR
constexpr uint32_t kIvarOtherValid = 1u << 19;

class E1000e : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bind_vfio(topology().e1000e));
    dev_ = open_or_fail(topology().e1000e, GetParam());
    ASSERT_TRUE(dev_);
    auto bar0 = dev_->map_region(0);
    ASSERT_TRUE(bar0) << bar0.error().describe();
    bar0_ = *bar0;
    // Interrupt throttling as low as it goes. QEMU's e1000e arms a timer on
    // every interrupt (ITR in INTx/MSI mode, EITR per MSI-X vector); QEMU 8
    // and later take 0 as "off", but QEMU 7.2 keeps at least 500 x 256 ns
    // (e1000e_set_eitr: MAX(value, E1000E_MIN_XITR)) and its CTRL.RST does
    // not stop the timers. A timer that fires after the interrupt mode
    // changed aborts QEMU 7.2 (e1000e_intrmgr_on_msix_throttling_timer
    // asserts MSI-X is on, the ITR timer that it is off): see
    // let_throttling_timers_fire().
    VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kItr, 0));
    for (uint64_t i = 0; i < 5; ++i) VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kEitr0 + 4 * i, 0));
    VFIOKIT_ASSERT_OK(dev_->enable_bus_master());
  }
  void raise(uint32_t cause) {
    VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kIms, cause));
    VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kIcs, cause));
  }
  // Waits until the throttling timers the last interrupts armed have fired,
  // before the test changes or ends the interrupt mode (see SetUp). On QEMU
  // 7.2 an MSI-X vector's timer notifies the vector once more when it fires,
  // ~128 us after the interrupt when QEMU's main loop runs on time; under a
  // loaded host that can be milliseconds later. Waiting for that repeat
  // (or, when it was already counted, for the timeout) leaves none pending.
  void let_throttling_timers_fire(const vfio::EventFd* last_vector = nullptr) {
    if (last_vector) (void)last_vector->wait(100);
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));  // INTx: no repeat to see
  }
  void quiet() {
    VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kImc, ~0u));
    (void)bar0_->read<uint32_t>(kIcr);  // reading ICR clears the causes
  }
  std::unique_ptr<vfio::Device> dev_;
  vfio::MappedRegion* bar0_ = nullptr;
};

TEST_P(E1000e, IntxFromTheDevice) {
  auto vectors = dev_->enable_irq(vfio::irq_index(PciIrq::intx), 1);
  ASSERT_TRUE(vectors) << vectors.error().describe();
  raise(kIcrLsc);
  auto n = (*vectors)[0].wait(3000);
  ASSERT_TRUE(n);
  EXPECT_GE(*n, 1u);
  quiet();
  VFIOKIT_ASSERT_OK(dev_->unmask_irq(vfio::irq_index(PciIrq::intx)));
  let_throttling_timers_fire();  // the next test may enable MSI-X
}

TEST_P(E1000e, MsixVectorsFromTheDeviceAndOneChanged) {
  auto info = dev_->irq_info(vfio::irq_index(PciIrq::msix));
  ASSERT_TRUE(info);
  ASSERT_EQ(info->count, 5u);  // 82574: 5 MSI-X vectors
  auto vectors = dev_->enable_irq(vfio::irq_index(PciIrq::msix), 5);
  ASSERT_TRUE(vectors) << vectors.error().describe();
  // Route "other" causes to vector 3 and raise one (QEMU signals the
  // OTHER summary bit, so it must be enabled in IMS too).
  VFIOKIT_ASSERT_OK(bar0_->write<uint32_t>(kIvar, (kIvarOtherValid | 3u << 16)));
  raise(kIcrLsc | kIcrOther);
  auto n = (*vectors)[3].wait(3000);
  ASSERT_TRUE(n);
  EXPECT_GE(*n, 1u) << "vector 3 did not fire";
  quiet();
  // Its throttled repeat must not land on the eventfd that replaces it.
  let_throttling_timers_fire(&(*vectors)[3]);
  // Point vector 3 at a new eventfd: the next interrupt lands there only.
  auto fresh = dev_->replace_vector(vfio::irq_index(PciIrq::msix), 3);
  ASSERT_TRUE(fresh) << fresh.error().describe();
  raise(kIcrLsc | kIcrOther);
  auto m = (*fresh)->wait(3000);
  ASSERT_TRUE(m);
  EXPECT_GE(*m, 1u) << "the replaced vector 3 did not fire";
  quiet();
  let_throttling_timers_fire(*fresh);  // MSI-X is disabled below
  // Loopback: the kernel signals vector 1's eventfd itself.
  VFIOKIT_ASSERT_OK(dev_->trigger_irq(vfio::irq_index(PciIrq::msix), 1));
  auto l = dev_->irq_eventfds(vfio::irq_index(PciIrq::msix))[1].wait(1000);
  ASSERT_TRUE(l);
  EXPECT_EQ(*l, 1u);
  EXPECT_EQ(*dev_->irq_eventfds(vfio::irq_index(PciIrq::msix))[0].take(), 0u);
  // The config space shows MSI-X enabled while vectors are set up.
  auto config = dev_->decode_config();
  ASSERT_TRUE(config);
  const auto* msix = config->find<pci::MsiX>();
  ASSERT_TRUE(msix);
  EXPECT_TRUE(msix->enabled);
  VFIOKIT_ASSERT_OK(dev_->disable_irq(vfio::irq_index(PciIrq::msix)));
  config = dev_->decode_config();
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->find<pci::MsiX>()->enabled);
}

// The error (AER) and request notifiers, proven by the kernel's loopback
// trigger: the eventfd VFIO would signal is the one vfiokit registered.
TEST_P(E1000e, ErrAndReqNotifiers) {
  for (PciIrq irq : {PciIrq::err, PciIrq::req}) {
    const uint32_t index = vfio::irq_index(irq);
    auto info = dev_->irq_info(index);
    ASSERT_TRUE(info);
    ASSERT_EQ(info->count, 1u) << vfio::irq_name(index);
    auto fds = dev_->enable_irq(index, 1);
    ASSERT_TRUE(fds) << fds.error().describe();
    VFIOKIT_ASSERT_OK(dev_->trigger_irq(index));
    auto n = (*fds)[0].wait(1000);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u) << vfio::irq_name(index);
  }
}

TEST_P(E1000e, PowerManagementStateInConfigSpace) {
  auto config = dev_->decode_config();
  ASSERT_TRUE(config);
  const auto* pm = config->find<pci::PowerManagement>();
  ASSERT_TRUE(pm);
  // An opened device is in D0 (vfio-pci wakes it from runtime D3hot).
  EXPECT_EQ(pm->current_state, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, E1000e, ::testing::ValuesIn(lab_backends()), backend_param_name);

class Nvme : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bind_vfio(topology().nvme));
    dev_ = open_or_fail(topology().nvme, GetParam());
    ASSERT_TRUE(dev_);
  }
  std::unique_ptr<vfio::Device> dev_;
};

// The MSI-X table lives in BAR0: vfio-pci either lets it be mapped
// (MSIX_MAPPABLE, with interrupt remapping) or leaves it out of the sparse
// mmap areas. Either way vfiokit maps what it may and reaches the rest.
TEST_P(Nvme, Bar0AroundTheMsixTable) {
  auto config = dev_->decode_config();
  ASSERT_TRUE(config);
  const auto* msix = config->find<pci::MsiX>();
  ASSERT_TRUE(msix);
  auto info = dev_->region_info(msix->table_bar);
  ASSERT_TRUE(info) << info.error().describe();
  ASSERT_TRUE(info->mmappable());
  const uint64_t table_end = msix->table_offset + 16ull * msix->table_size;
  if (info->msix_mappable) {
    EXPECT_FALSE(info->sparse_areas) << "MSIX_MAPPABLE with sparse areas";
  } else {
    ASSERT_TRUE(info->sparse_areas) << "the MSI-X table is mappable without MSIX_MAPPABLE";
    for (const auto& a : *info->sparse_areas)
      EXPECT_TRUE(a.offset + a.size <= msix->table_offset || a.offset >= table_end)
          << "sparse area overlaps the MSI-X table";
  }
  auto region = dev_->map_region(msix->table_bar);
  ASSERT_TRUE(region) << region.error().describe();
  // NVMe CAP and VS registers through the mapping; VS is 1.x.
  auto vs = (*region)->read<uint32_t>(0x08);
  ASSERT_TRUE(vs);
  EXPECT_EQ(*vs >> 16, 1u);
  // A word of the MSI-X table, through mmap or pread, whichever applies.
  EXPECT_TRUE((*region)->read<uint32_t>(msix->table_offset + 12));
}

TEST_P(Nvme, MsixCountAndFunctionLevelReset) {
  auto irq = dev_->irq_info(vfio::irq_index(PciIrq::msix));
  ASSERT_TRUE(irq);
  EXPECT_GT(irq->count, 1u);
  EXPECT_TRUE(dev_->info().reset_supported());
  auto region = dev_->map_region(0);
  ASSERT_TRUE(region);
  // Set controller configuration bits (not EN), reset, and see them cleared.
  constexpr uint64_t kCc = 0x14;
  VFIOKIT_ASSERT_OK((*region)->write<uint32_t>(kCc, 0x00460000));
  auto before = (*region)->read<uint32_t>(kCc);
  ASSERT_TRUE(before);
  EXPECT_EQ(*before, 0x00460000u);
  VFIOKIT_ASSERT_OK(dev_->reset());
  auto after = (*region)->read<uint32_t>(kCc);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Nvme, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab

// SPDX-License-Identifier: Apache-2.0
// Device features against the real kernel. Test suites are named Features*
// so lab suite "features" runs them on their own: FeaturesPower and
// FeaturesType1Dirty on every kernel; FeaturesMdev (mtty: migration v2, DMA
// logging calls) and FeaturesIommufdDirty (IOMMUFD_TEST mock domain, in a
// boot of its own) on the lab's own kernel, which has both
// (lab/kernel/lab.config).
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/host/mdev/create_operation.hpp"
#include "vfiokit/host/power/power_state.hpp"
#include "vfiokit/vfio/backend/type1_backend.hpp"
#include "vfiokit/vfio/device_features.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"
#include "vfiokit/vfio/dma/dma_logging.hpp"
#include "vfiokit/vfio/dma/iommufd_dirty.hpp"
#include "vfiokit/vfio/internal/uapi.hpp"
#include "vfiokit/vfio/migration/migration_stream.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;
using vfio::Feature;
using vfio::MigState;

const host::SysfsRoot kSys("/sys");
const std::vector<std::string> kSuspended = {"D3hot", "D3cold"};

bool offers(const std::vector<vfio::FeatureSupport>& all, Feature f) {
  for (const auto& s : all)
    if (s.feature == f) return s.get || s.set;
  return false;
}

// --- Low power on e1000e under vfio-pci -------------------------------------

class FeaturesPower : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    bdf_ = topology().e1000e;
    ASSERT_TRUE(bind_vfio(bdf_));
    dev_ = open_or_fail(bdf_, GetParam());
    ASSERT_TRUE(dev_);
  }
  std::string power_state(const std::vector<std::string>& wanted) {
    auto s = host::wait_for_power_state(kSys, bdf_, wanted, 3000);
    return s ? *s : s.error().describe();
  }
  pci::Bdf bdf_;
  std::unique_ptr<vfio::Device> dev_;
};

TEST_P(FeaturesPower, ProbeOffersTheLowPowerFeatures) {
  auto f = dev_->feature_ioctl();
  auto all = vfio::probe_features(f);
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_TRUE(offers(*all, Feature::low_power_entry));
  EXPECT_TRUE(offers(*all, Feature::low_power_entry_with_wakeup));
  EXPECT_TRUE(offers(*all, Feature::low_power_exit));
  EXPECT_FALSE(offers(*all, Feature::migration));  // vfio-pci has no migration driver for e1000e
}

TEST_P(FeaturesPower, EntryReachesD3AndExitReturnsToD0) {
  auto f = dev_->feature_ioctl();
  EXPECT_EQ(power_state({"D0"}), "D0");  // open: the device is active
  VFIOKIT_ASSERT_OK(vfio::low_power_entry(f));
  const auto low = power_state(kSuspended);
  EXPECT_TRUE(low == "D3hot" || low == "D3cold") << "power_state after LOW_POWER_ENTRY: " << low;
  auto power = host::read_power(kSys, bdf_);
  ASSERT_TRUE(power);
  EXPECT_EQ(power->runtime_status, "suspended");
  // The kernel refuses a second entry (pm_runtime_engaged).
  auto again = vfio::low_power_entry(f);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().sys_errno(), EINVAL);
  VFIOKIT_ASSERT_OK(vfio::low_power_exit(f));
  EXPECT_EQ(power_state({"D0"}), "D0");
  // The device works again: its config space reads through VFIO.
  auto vendor = dev_->config_read<uint16_t>(0);
  ASSERT_TRUE(vendor);
  EXPECT_EQ(*vendor, kIntel);
}

TEST_P(FeaturesPower, AnAccessWakesTheDeviceAndSignalsTheEventfd) {
  auto f = dev_->feature_ioctl();
  auto wake = vfio::EventFd::create();
  ASSERT_TRUE(wake);
  VFIOKIT_ASSERT_OK(vfio::low_power_entry_with_wakeup(f, *wake));
  const auto low = power_state(kSuspended);
  EXPECT_TRUE(low == "D3hot" || low == "D3cold") << low;
  EXPECT_EQ(*wake->take(), 0u);
  // An ioctl on the device runtime-resumes it; the kernel signals the
  // eventfd and leaves low power by itself.
  ASSERT_TRUE(dev_->region_info(0));
  auto n = wake->wait(3000);
  ASSERT_TRUE(n);
  EXPECT_GE(*n, 1u);
  EXPECT_EQ(power_state({"D0"}), "D0");
  VFIOKIT_ASSERT_OK(vfio::low_power_exit(f));  // harmless after the wake-up
}

INSTANTIATE_TEST_SUITE_P(Backends, FeaturesPower, ::testing::ValuesIn(lab_backends()), backend_param_name);

// --- type1 dirty pages -------------------------------------------------------

TEST(FeaturesType1Dirty, EveryMappedPageOfAnIommuBackedGroupIsDirty) {
  ASSERT_TRUE(bind_vfio(topology().edu));
  auto dev = open_or_fail(topology().edu, BackendKind::type1);
  ASSERT_TRUE(dev);
  auto& type1 = static_cast<vfio::Type1Backend&>(dev->backend());
  auto buffer = vfio::DmaBuffer::allocate(64 * 1024);
  ASSERT_TRUE(buffer);
  auto iova = type1.map_dma(buffer->data(), buffer->size(), vfio::DmaAccess::read_write);
  ASSERT_TRUE(iova) << iova.error().describe();
  auto bitmap = vfio::DirtyBitmap::create(*iova, buffer->size(), type1.iova_granule());
  ASSERT_TRUE(bitmap);
  // Not tracking yet: the kernel refuses the read.
  EXPECT_FALSE(type1.read_dirty(*bitmap));
  VFIOKIT_ASSERT_OK(type1.set_dirty_tracking(true));
  VFIOKIT_ASSERT_OK(type1.read_dirty(*bitmap));
  // type1 cannot see a vfio-pci device's writes, so it reports every page
  // it pinned, on every read.
  EXPECT_EQ(bitmap->count(), bitmap->pages());
  bitmap->clear();
  VFIOKIT_ASSERT_OK(type1.read_dirty(*bitmap));
  EXPECT_EQ(bitmap->count(), bitmap->pages());
  VFIOKIT_ASSERT_OK(type1.set_dirty_tracking(false));
  VFIOKIT_ASSERT_OK(type1.unmap_dma(*iova));
}

// --- mtty mdevs: migration v2 and DMA logging --------------------------------

// mtty's serial ports: port N is BAR N, an 8-byte 16550 register file.
constexpr uint64_t kUartTx = 0, kUartScr = 7;

class FeaturesMdev : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    auto type = host::find_mdev_type(kSys, "", "mtty-2");
    ASSERT_TRUE(type) << type.error().describe() << " (the lab's own kernel builds in the mtty sample)";
    for (auto* uuid : {&a_, &b_}) {
      auto plan = host::plan_mdev_create(kSys, "", "mtty-2", std::nullopt);
      ASSERT_TRUE(plan) << plan.error().describe();
      auto made = host::create_mdev(kSys, *plan, journal_, {});
      ASSERT_TRUE(made) << made.error().describe();
      *uuid = made->uuid;
    }
    auto a = vfio::Device::open(a_, choice_of(GetParam()));
    ASSERT_TRUE(a) << a.error().describe();
    src_ = std::move(*a);
    auto b = vfio::Device::open(b_, choice_of(GetParam()));
    ASSERT_TRUE(b) << b.error().describe();
    dst_ = std::move(*b);
  }
  void TearDown() override {
    src_.reset();
    dst_.reset();
    for (const auto& u : {a_, b_}) {
      if (auto d = host::find_mdev(kSys, u); d && *d) {
        EXPECT_TRUE(host::remove_mdev(kSys, u));
      }
    }
    EXPECT_TRUE(journal_.list().entries.empty());
  }
  static void put(vfio::Device& d, uint32_t port, uint64_t reg, uint8_t v) {
    VFIOKIT_ASSERT_OK(d.write_region(port, reg, {&v, 1}));
  }
  static uint8_t get(vfio::Device& d, uint32_t port, uint64_t reg) {
    uint8_t v = 0;
    EXPECT_TRUE(d.read_region(port, reg, {&v, 1}));
    return v;
  }
  host::Journal journal_{"/tmp/mdev-journal"};
  Uuid a_, b_;
  std::unique_ptr<vfio::Device> src_, dst_;
};

TEST_P(FeaturesMdev, StateSavedFromOneLoadsIntoTheOther) {
  auto fs = src_->feature_ioctl(), fd = dst_->feature_ioctl();
  auto ms = vfio::Migration::attach(fs), md = vfio::Migration::attach(fd);
  ASSERT_TRUE(ms) << ms.error().describe();
  ASSERT_TRUE(md) << md.error().describe();
  EXPECT_EQ(ms->caps().describe(), "STOP_COPY, P2P, PRE_COPY");
  EXPECT_EQ(*ms->state(), MigState::running);
  // What a guest would have written to the source's serial ports.
  put(*src_, 0, kUartScr, 0x5a);
  put(*src_, 1, kUartScr, 0xa5);
  for (char c : std::string("vfiokit")) put(*src_, 0, kUartTx, uint8_t(c));
  EXPECT_EQ(get(*dst_, 0, kUartScr), 0);

  vfio::UniqueFd file(memfd_create("mtty-state", MFD_CLOEXEC));
  auto report = vfio::save_device_state(*ms, file.get(), true, src_->name());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_GT(report->precopy_bytes, 0u);  // mtty streams its header in PRE_COPY
  EXPECT_EQ(report->precopy.initial_bytes, report->precopy_bytes);
  EXPECT_EQ(report->total(), report->estimated_bytes);  // MIG_DATA_SIZE is exact for mtty
  EXPECT_EQ(*ms->state(), MigState::stop);

  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  auto loaded = vfio::load_device_state(*md, file.get(), dst_->name());
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(*loaded, report->total());
  EXPECT_EQ(*md->state(), MigState::running);
  EXPECT_EQ(get(*dst_, 0, kUartScr), 0x5a);
  EXPECT_EQ(get(*dst_, 1, kUartScr), 0xa5);
  std::string rx;
  for (int i = 0; i < 7; ++i) rx += char(get(*dst_, 0, kUartTx));  // RX returns the loop-back FIFO
  EXPECT_EQ(rx, "vfiokit");
}

TEST_P(FeaturesMdev, IllegalArcsAreRefused) {
  auto f = src_->feature_ioctl();
  auto m = vfio::Migration::attach(f);
  ASSERT_TRUE(m);
  // Every pair that is not one arc: refused by vfiokit before the kernel.
  for (uint32_t from : {2u, 1u}) {  // RUNNING, then STOP
    ASSERT_TRUE(m->transition(MigState(from)));
    for (uint32_t to = 0; to < vfio::kMigStates; ++to) {
      if (vfio::is_direct_arc(MigState(from), MigState(to), m->caps())) continue;
      EXPECT_FALSE(m->step(MigState(to)))
          << vfio::mig_state_name(MigState(from)) << " -> " << vfio::mig_state_name(MigState(to));
      EXPECT_EQ(*m->state(), MigState(from));
    }
  }
  // The kernel itself refuses what the uAPI blocks, and ERROR as a target.
  auto fd = m->transition(MigState::stop_copy);
  ASSERT_TRUE(fd);
  for (MigState bad : {MigState::pre_copy, MigState::pre_copy_p2p, MigState::error}) {
    struct {
      uint32_t state;
      int32_t data_fd;
    } raw{uint32_t(bad), -1};
    auto r = f.feature(vfio::feature_flags(Feature::mig_device_state, vfio::kFeatureSet), raw);
    ASSERT_FALSE(r) << vfio::mig_state_name(bad);
    EXPECT_EQ(r.error().sys_errno(), EINVAL);
    EXPECT_EQ(*m->state(), MigState::stop_copy);
  }
  fd->reset();
  ASSERT_TRUE(m->transition(MigState::running));
}

TEST_P(FeaturesMdev, AFailedTransitionEndsInTheRecoverState) {
  auto f = dst_->feature_ioctl();
  auto m = vfio::Migration::attach(f);
  ASSERT_TRUE(m);
  auto data = m->transition(MigState::resuming);
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_TRUE(data->valid());
  // Half a header: mtty cannot load it at RESUMING -> STOP.
  const uint64_t magic = 0x7e9d09898c3e2c4eull;
  ASSERT_EQ(::write(data->get(), &magic, sizeof(magic)), ssize_t(sizeof(magic)));
  data->reset();
  auto r = m->transition(MigState::running, MigState::running);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("RESUMING -> STOP failed"), std::string::npos) << r.error().describe();
  EXPECT_NE(r.error().message().find("RUNNING"), std::string::npos) << r.error().describe();
  EXPECT_EQ(*m->state(), MigState::running);
}

TEST_P(FeaturesMdev, DmaLoggingCallsReachTheDriver) {
  // mtty implements the log ops without a log: the kernel's checks run and
  // the reports are empty. The semantics are proven in tests/vfio.
  auto f = src_->feature_ioctl();
  auto all = vfio::probe_features(f);
  ASSERT_TRUE(all);
  EXPECT_TRUE(offers(*all, Feature::dma_logging_start));
  EXPECT_TRUE(offers(*all, Feature::dma_logging_report));
  auto log = vfio::DmaLogging::start(f, {{0, (1u << 20) - 1}, {1ull << 32, (1ull << 32) + (1u << 20) - 1}});
  ASSERT_TRUE(log) << log.error().describe();
  EXPECT_EQ(log->page_size(), 4096u);
  auto bits = log->report(vfio::Iova(0), 1u << 20);
  ASSERT_TRUE(bits) << bits.error().describe();
  EXPECT_EQ(bits->count(), 0u);
  // The kernel refuses a report page size below 4 KiB.
  vfio_device_feature_dma_logging_report report{0, 1u << 20, 2048, reinterpret_cast<uintptr_t>(bits->words().data())};
  auto r = f.feature(vfio::feature_flags(Feature::dma_logging_report, vfio::kFeatureGet), report);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), EINVAL);
  VFIOKIT_ASSERT_OK(log->stop());
}

INSTANTIATE_TEST_SUITE_P(Backends, FeaturesMdev, ::testing::ValuesIn(lab_backends()), backend_param_name);

// --- iommufd dirty tracking on an IOMMUFD_TEST mock domain -------------------
// A mock device is probed by the first IOMMU driver registered without a
// firmware node (drivers/iommu/iommu.c, __iommu_probe_device), which is the
// Intel IOMMU when it is on: the mock device then has no IOMMU and binding it
// fails with EINVAL. Lab suite "iommufd-mock" therefore boots with
// intel_iommu=off.

// drivers/iommu/iommufd/iommufd_test.h (6.12): IOMMU_TEST_CMD and the ops used.
constexpr unsigned long kIommuTestCmd = vfio::uapi::io(0x80 + 32);
constexpr uint32_t kOpMockDomain = 2, kOpDirty = 13;
constexpr uint64_t kMockApertureStart = 1ull << 24;
constexpr uint64_t kMockPageSize = 4096 / 2;  // MOCK_IO_PAGE_SIZE

struct MockDomainArgs {
  uint32_t out_stdev_id, out_hwpt_id, out_idev_id;
};
struct DirtyArgs {
  uint32_t flags;
  uint32_t pad;
  uint64_t iova, length, page_size, uptr, out_nr_dirty;
};

struct IommuTestCmd {
  uint32_t size = sizeof(IommuTestCmd);
  uint32_t op = 0;
  uint32_t id = 0;
  uint32_t reserved = 0;
  // Named types: an anonymous struct inside the anonymous union is a
  // compiler extension (clang's -Wnested-anon-types).
  union {
    MockDomainArgs mock_domain;
    DirtyArgs dirty;
    uint8_t raw[48];
  };
  uint32_t last = 0;
};
static_assert(sizeof(IommuTestCmd) == 72);

TEST(FeaturesIommufdDirty, PagesTheKernelMarksAreExactlyThePagesReported) {
  auto opened = vfio::IommufdBackend::open(kSys);
  ASSERT_TRUE(opened) << opened.error().describe();
  std::shared_ptr<vfio::IommufdBackend> backend = std::move(*opened);
  IommuTestCmd mock{};
  mock.op = kOpMockDomain;
  mock.id = backend->ioas_id();
  ASSERT_EQ(ioctl(backend->iommufd(), kIommuTestCmd, &mock), 0)
      << "IOMMU_TEST_OP_MOCK_DOMAIN: " << strerror(errno) << " (needs CONFIG_IOMMUFD_TEST)";
  VFIOKIT_ASSERT_OK(backend->refresh_ranges());
  auto hwpt = vfio::DirtyTrackingHwpt::alloc(*backend, mock.mock_domain.out_idev_id);
  ASSERT_TRUE(hwpt) << hwpt.error().describe();

  constexpr uint64_t kLength = 2u << 20;
  void* mem = mmap(nullptr, kLength, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  const vfio::Iova base(kMockApertureStart);
  VFIOKIT_ASSERT_OK(backend->map_dma_at(mem, base, kLength, vfio::DmaAccess::read_write));
  VFIOKIT_ASSERT_OK(hwpt->set_tracking(true));

  const std::vector<uint64_t> pages = {0, 3, 64, 65, 100, 511, 777, 1023};  // in mock pages
  auto mark = [&] {
    std::vector<uint64_t> bits(kLength / kMockPageSize / 64, 0);
    for (uint64_t p : pages) bits[p / 64] |= uint64_t(1) << (p % 64);
    IommuTestCmd dirty{};
    dirty.op = kOpDirty;
    dirty.id = hwpt->id();
    dirty.dirty.iova = base.value();
    dirty.dirty.length = kLength;
    dirty.dirty.page_size = kMockPageSize;
    dirty.dirty.uptr = reinterpret_cast<uintptr_t>(bits.data());
    ASSERT_EQ(ioctl(backend->iommufd(), kIommuTestCmd, &dirty), 0) << "IOMMU_TEST_OP_DIRTY: " << strerror(errno);
    EXPECT_EQ(dirty.dirty.out_nr_dirty, pages.size());
  };
  auto reported = [&](bool keep) {
    std::vector<uint64_t> out;
    auto bitmap = hwpt->read(base, kLength, kMockPageSize, keep);
    EXPECT_TRUE(bitmap) << bitmap.error().describe();
    if (bitmap)
      bitmap->for_each_dirty([&](vfio::Iova i) { out.push_back((i.value() - base.value()) / kMockPageSize); });
    return out;
  };
  mark();
  EXPECT_EQ(reported(false), pages);
  EXPECT_TRUE(reported(false).empty());  // the read cleared the IOPTE dirty bits
  mark();
  EXPECT_EQ(reported(true), pages);  // NO_CLEAR keeps them
  EXPECT_EQ(reported(false), pages);
  EXPECT_TRUE(reported(false).empty());
  VFIOKIT_ASSERT_OK(hwpt->set_tracking(false));
  VFIOKIT_ASSERT_OK(backend->unmap_dma(base));
  munmap(mem, kLength);
}

}  // namespace
}  // namespace vfiokit::lab

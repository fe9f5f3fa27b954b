// SPDX-License-Identifier: Apache-2.0
// Wrong requests get a clear error and leave nothing behind: the next open
// of the same device works.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "edu.hpp"
#include "lab/vfio/vfio_lab.hpp"
#include "support/memlock_limit.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;

class BadInput : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override { ASSERT_TRUE(bind_vfio(topology().edu)); }
  void opens_cleanly() {
    auto dev = vfio::Device::open(topology().edu, choice_of(GetParam()));
    ASSERT_TRUE(dev) << "after the error, a fresh open fails: " << dev.error().describe();
  }
};

TEST_P(BadInput, FunctionThatDoesNotExist) {
  auto dev = vfio::Device::open(pci::Bdf(0, 0xfe, 0x1f, 7), choice_of(GetParam()));
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code(), Errc::not_found);
  EXPECT_NE(dev.error().describe().find("0000:fe:1f.7: no such PCI function"), std::string::npos)
      << dev.error().describe();
}

TEST_P(BadInput, FunctionNotBoundToVfioPci) {
  ASSERT_TRUE(bind_host(topology().e1000e));
  auto dev = vfio::Device::open(topology().e1000e, choice_of(GetParam()));
  ASSERT_FALSE(dev);
  EXPECT_NE(dev.error().describe().find("is not bound to vfio-pci (driver: e1000e)"), std::string::npos)
      << dev.error().describe();
  ASSERT_TRUE(bind_vfio(topology().e1000e));
  EXPECT_TRUE(vfio::Device::open(topology().e1000e, choice_of(GetParam())));
}

TEST_P(BadInput, DeviceOpenedTwice) {
  auto first = vfio::Device::open(topology().edu, choice_of(GetParam()));
  ASSERT_TRUE(first) << first.error().describe();
  auto second = vfio::Device::open(topology().edu, choice_of(GetParam()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Errc::permission) << second.error().describe();
  EXPECT_NE(second.error().describe().find("already open"), std::string::npos) << second.error().describe();
  first->reset();
  opens_cleanly();
}

TEST_P(BadInput, MappingsThatOverlapOrLieOutsideTheValidRanges) {
  auto dev = open_or_fail(topology().edu, GetParam());
  ASSERT_TRUE(dev);
  auto backend = dev->shared_backend();
  auto buffer = vfio::DmaBuffer::allocate(4 * 4096);
  ASSERT_TRUE(buffer);
  auto page = [&](int i) { return buffer->bytes().subspan(4096 * i, 4096); };
  auto first = vfio::DmaMapping::map_at(backend, page(0), vfio::Iova(0x100000), vfio::DmaAccess::read_write);
  ASSERT_TRUE(first) << first.error().describe();
  auto overlap = vfio::DmaMapping::map_at(backend, buffer->bytes().subspan(4096, 2 * 4096), vfio::Iova(0xff000),
                                          vfio::DmaAccess::read_write);
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().describe().find("overlaps the mapping at 0x100000-0x100fff"), std::string::npos)
      << overlap.error().describe();
  // The interrupt window 0xfee00000 is never DMA space on x86.
  auto msi_window = vfio::DmaMapping::map_at(backend, page(2), vfio::Iova(0xfee00000), vfio::DmaAccess::read_write);
  ASSERT_FALSE(msi_window);
  EXPECT_EQ(msi_window.error().code(), Errc::out_of_range);
  EXPECT_NE(msi_window.error().describe().find("outside the valid IOVA ranges"), std::string::npos)
      << msi_window.error().describe();
  // Beyond the IOMMU's address width.
  auto too_high = vfio::DmaMapping::map_at(backend, page(2), vfio::Iova(1ull << 60), vfio::DmaAccess::read_write);
  EXPECT_FALSE(too_high);
  auto unaligned = backend->map_dma_at(buffer->data() + 8, vfio::Iova(0x200000), 4096, vfio::DmaAccess::read_write);
  EXPECT_FALSE(unaligned);
  // Nothing partial: one mapping recorded, and the failed ranges map fine now.
  EXPECT_EQ(backend->iova_space().allocation_count(), 1u);
  EXPECT_EQ(backend->mapped_bytes(), 4096u);
  auto after = vfio::DmaMapping::map_at(backend, page(1), vfio::Iova(0xff000), vfio::DmaAccess::read_write);
  EXPECT_TRUE(after) << after.error().describe();
}

// RLIMIT_MEMLOCK binds only without CAP_IPC_LOCK: a child drops the
// capability, lowers the limit to 64 KiB and asks for 1 MiB.
TEST_P(BadInput, MemlockTooLow) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!testing::hold_to_memlock_limit(64 << 10)) _exit(10);
    auto dev = vfio::Device::open(topology().edu, choice_of(GetParam()));
    if (!dev) _exit(13);
    auto buffer = vfio::DmaBuffer::allocate(1 << 20);
    if (!buffer) _exit(14);
    auto mapping = vfio::DmaMapping::map((*dev)->shared_backend(), buffer->bytes(), vfio::DmaAccess::read_write);
    if (mapping) _exit(15);
    const std::string text = mapping.error().describe();
    fprintf(stderr, "memlock error: %s\n", text.c_str());
    if (text.find("RLIMIT_MEMLOCK") == std::string::npos || text.find("64KiB") == std::string::npos) _exit(16);
    if ((*dev)->backend().iova_space().allocation_count() != 0) _exit(17);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child step " << WEXITSTATUS(status) << " failed";
  opens_cleanly();
}

TEST(BackendChoice, UnavailableBackendIsAClearError) {
  if (::access("/dev/iommu", F_OK) == 0) {
    // This kernel has both; ask for a backend with a device that cannot use it.
    auto dev = vfio::Device::open(topology().edu, vfio::BackendChoice::iommufd);
    EXPECT_TRUE(dev || dev.error().code() != Errc::unsupported);
    GTEST_SUCCEED() << "iommufd present: the unavailable case is covered on the stock kernels";
    return;
  }
  ASSERT_TRUE(bind_vfio(topology().edu));
  auto dev = vfio::Device::open(topology().edu, vfio::BackendChoice::iommufd);
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code(), Errc::unsupported);
  EXPECT_NE(dev.error().describe().find("no iommufd"), std::string::npos) << dev.error().describe();
  // Automatic choice falls back to type1 here.
  auto automatic = vfio::Device::open(topology().edu);
  ASSERT_TRUE(automatic) << automatic.error().describe();
  EXPECT_EQ((*automatic)->backend().kind(), vfio::BackendKind::type1);
}

// The custom kernel carries iommufd and the cdev; the stock ones do not.
TEST(BackendChoice, KernelOffersTheExpectedBackends) {
  std::ifstream release("/proc/sys/kernel/osrelease");
  std::string text;
  release >> text;
  const bool custom = text.find("vfiokit-lab") != std::string::npos;
  EXPECT_EQ(::access("/dev/iommu", F_OK) == 0, custom) << text;
  EXPECT_EQ(lab_backends().size(), custom ? 2u : 1u);
  if (custom) {
    ASSERT_TRUE(bind_vfio(topology().edu));
    auto automatic = vfio::Device::open(topology().edu);
    ASSERT_TRUE(automatic) << automatic.error().describe();
    EXPECT_EQ((*automatic)->backend().kind(), vfio::BackendKind::iommufd);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BadInput, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab

// SPDX-License-Identifier: Apache-2.0
// Instruction cost of vfiokit's MMIO accessors against a raw volatile read,
// counted by callgrind (bench/callgrind-counts runs this under valgrind and
// prints the counts of the three loops). The "BAR" is a memfd mapped
// through MappedRegion exactly as a device fd is, so the checked accessor
// takes its real path; a device is not needed to count instructions.
#include <linux/vfio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>

#include "vfiokit/vfio/mapped_region.hpp"

namespace {

constexpr size_t kReads = 1'000'000;
constexpr size_t kBar = 1 << 20;

__attribute__((noinline)) uint32_t loop_raw(volatile uint32_t* bar, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += bar[(i & 255)];
  return sum;
}

__attribute__((noinline)) uint32_t loop_mmio(vfiokit::vfio::Mmio bar, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += bar.read32((i & 255) * 4);
  return sum;
}

__attribute__((noinline)) uint32_t loop_checked(const vfiokit::vfio::MappedRegion& bar, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += bar.read<uint32_t>((i & 255) * 4).value_or(0);
  return sum;
}

}  // namespace

int main() {
  const int fd = memfd_create("bar", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, kBar) != 0) return perror("memfd"), 1;
  vfiokit::vfio::RegionInfo info;
  info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;
  info.size = kBar;
  auto region = vfiokit::vfio::MappedRegion::map(fd, info, "bench BAR0");
  if (!region) return std::fprintf(stderr, "%s\n", region.error().describe().c_str()), 1;
  const auto mmio = (*region)->mmio();
  const uint32_t a = loop_raw(reinterpret_cast<volatile uint32_t*>(mmio.base()), kReads);
  const uint32_t b = loop_mmio(mmio, kReads);
  const uint32_t c = loop_checked(**region, kReads);
  std::printf("sums %u %u %u\n", a, b, c);
  return a == b && b == c ? 0 : 1;
}

// SPDX-License-Identifier: Apache-2.0
#include "edu.hpp"

#include <fmt/format.h>

#include <thread>

namespace edu {

using vfiokit::Errc;
using vfiokit::Result;

Result<Device> Device::attach(vfiokit::vfio::Device& vfio) {
  auto bar0 = vfio.map_region(uint32_t(vfiokit::vfio::PciRegion::bar0));
  if (!bar0) return vfiokit::fail(bar0.error());
  if (!(*bar0)->mapped(0, 0x100)) return vfiokit::fail(Errc::unsupported, vfio.name(), "BAR0 cannot be mmap'd");
  Device dev(vfio, (*bar0)->mmio());
  if (const uint32_t id = dev.id(); id != kExpectedId)
    return vfiokit::fail(Errc::invalid_argument, vfio.name(),
                         fmt::format("is not an edu device (ID register 0x{:08x})", id));
  if (auto ok = vfio.enable_bus_master(); !ok) return vfiokit::fail(ok.error());
  return dev;
}

uint32_t Device::liveness(uint32_t value) const {
  bar_.write32(kLiveness, value);
  return bar_.read32(kLiveness);
}

Result<void> Device::wait_idle(uint64_t reg, uint32_t busy_bit) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (bar_.read32(reg) & busy_bit) {
    if (std::chrono::steady_clock::now() > deadline)
      return vfiokit::fail(Errc::io, vfio_->name(), fmt::format("edu stayed busy (register 0x{:x})", reg));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return {};
}

Result<uint32_t> Device::factorial(uint32_t n) const {
  bar_.write32(kFactorial, n);
  if (auto ok = wait_idle(kStatus, 1); !ok) return vfiokit::fail(ok.error());
  return bar_.read32(kFactorial);
}

Result<void> Device::dma(uint64_t source, uint64_t destination, uint32_t count, uint32_t flags) const {
  if (count > kMaxTransfer)
    return vfiokit::fail(Errc::invalid_argument, vfio_->name(),
                         fmt::format("edu DMA of {} bytes (at most {})", count, kMaxTransfer));
  bar_.write64(kDmaSource, source);
  bar_.write64(kDmaDestination, destination);
  bar_.write64(kDmaCount, count);
  bar_.write64(kDmaCommand, kDmaRun | flags);
  return wait_idle(kDmaCommand, kDmaRun);
}

Result<void> Device::to_device(vfiokit::vfio::Iova from, uint32_t count) const {
  return dma(from.value(), kDmaBuffer, count, 0);
}

Result<void> Device::from_device(vfiokit::vfio::Iova to, uint32_t count, bool irq) const {
  return dma(kDmaBuffer, to.value(), count, kDmaToRam | (irq ? kDmaIrq : 0));
}

uint32_t Device::ack_irq() const {
  const uint32_t status = bar_.read32(kIrqStatus);
  bar_.write32(kIrqAck, status);
  return status;
}

}  // namespace edu

// SPDX-License-Identifier: Apache-2.0
// A userspace driver for QEMU's "edu" teaching device (docs/specs/edu.rst in
// QEMU), written against vfiokit's public API only. It is the tutorial in the
// library guide (docs/library.md) and the driver the lab tests use.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"

namespace edu {

// Registers in BAR0.
constexpr uint64_t kId = 0x00;         // 0x010000ed: major 1, minor 0, "ed"
constexpr uint64_t kLiveness = 0x04;   // reads back the inverse of what was written
constexpr uint64_t kFactorial = 0x08;  // write n, read n! when kStatus bit 0 clears
constexpr uint64_t kStatus = 0x20;     // bit 0: computing; bit 7: raise an IRQ when done
constexpr uint64_t kIrqStatus = 0x24;
constexpr uint64_t kIrqRaise = 0x60;
constexpr uint64_t kIrqAck = 0x64;
constexpr uint64_t kDmaSource = 0x80;
constexpr uint64_t kDmaDestination = 0x88;
constexpr uint64_t kDmaCount = 0x90;
constexpr uint64_t kDmaCommand = 0x98;
constexpr uint64_t kDmaBuffer = 0x40000;  // the device's internal 4 KiB buffer, as a DMA address
constexpr uint32_t kDmaRun = 1, kDmaToRam = 2, kDmaIrq = 4;
constexpr uint32_t kDmaIrqValue = 0x100;  // kIrqStatus after a DMA with kDmaIrq
constexpr uint32_t kExpectedId = 0x010000ed;
// edu masks every DMA address with its dma_mask, 28 bits by default.
constexpr uint64_t kDmaLimit = (1ull << 28) - 1;
// QEMU 7.2's edu aborts the whole VM on a 4096-byte transfer (its range
// check is off by one): transfers stay at or below 2 KiB.
constexpr uint64_t kMaxTransfer = 2048;

class Device {
 public:
  // Takes an opened VFIO device, checks it is an edu, maps BAR0 and enables
  // bus mastering (VFIO leaves it off).
  static vfiokit::Result<Device> attach(vfiokit::vfio::Device& vfio);

  uint32_t id() const { return bar_.read32(kId); }
  uint32_t liveness(uint32_t value) const;
  // n! computed by the device (32-bit, so n <= 12 is exact).
  vfiokit::Result<uint32_t> factorial(uint32_t n) const;
  // Starts a DMA and waits for the device to finish. Addresses are IOVAs
  // (RAM side) or kDmaBuffer + offset (device side).
  vfiokit::Result<void> dma(uint64_t source, uint64_t destination, uint32_t count, uint32_t flags) const;
  vfiokit::Result<void> to_device(vfiokit::vfio::Iova from, uint32_t count) const;
  vfiokit::Result<void> from_device(vfiokit::vfio::Iova to, uint32_t count, bool irq = false) const;
  void raise_irq(uint32_t value) const { bar_.write32(kIrqRaise, value); }
  // Reads and acknowledges the interrupt status (deasserts INTx).
  uint32_t ack_irq() const;

  vfiokit::vfio::Device& vfio() const { return *vfio_; }

 private:
  Device(vfiokit::vfio::Device& vfio, vfiokit::vfio::Mmio bar) : vfio_(&vfio), bar_(bar) {}
  vfiokit::Result<void> wait_idle(uint64_t reg, uint32_t busy_bit) const;

  vfiokit::vfio::Device* vfio_;
  vfiokit::vfio::Mmio bar_;
};

}  // namespace edu

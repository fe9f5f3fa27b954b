// SPDX-License-Identifier: Apache-2.0
// vfiokit-edu BDF [auto|type1|iommufd]: drives QEMU's edu device from
// userspace: identify it, let it compute a factorial, copy a buffer
// RAM -> device -> RAM through an IOVA, and take the completion interrupt as
// MSI through an eventfd. Every step uses vfiokit's public API.
#include <fmt/format.h>

#include <cstring>

#include "edu.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/dma/dma_buffer.hpp"

using namespace vfiokit;

static int die(const Error& e) {
  fmt::print(stderr, "vfiokit-edu: {}\n", e.describe());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: vfiokit-edu BDF [auto|type1|iommufd]\n");
    return 2;
  }
  auto bdf = pci::Bdf::parse(argv[1]);
  if (!bdf) return die(bdf.error());
  auto choice = vfio::parse_backend_choice(argc > 2 ? argv[2] : "auto");
  if (!choice) return die(choice.error());

  // 1. Open the device: the backend (container or iommufd) comes with it.
  auto vfio_dev = vfio::Device::open(*bdf, *choice);
  if (!vfio_dev) return die(vfio_dev.error());
  auto dev = edu::Device::attach(**vfio_dev);
  if (!dev) return die(dev.error());
  fmt::print("edu {} via {}: ID 0x{:08x}\n", bdf->str(), (*vfio_dev)->backend().describe(), dev->id());

  // 2. MMIO: the device computes 10!.
  auto fact = dev->factorial(10);
  if (!fact) return die(fact.error());
  fmt::print("10! = {}\n", *fact);

  // 3. DMA: a page of data goes to the device and comes back into a second
  //    page. Both pages are mapped at an IOVA below edu's 28-bit DMA limit.
  auto buffer = vfio::DmaBuffer::allocate(2 * 4096);
  if (!buffer) return die(buffer.error());
  uint8_t* out = buffer->data();
  uint8_t* back = buffer->data() + 4096;
  for (int i = 0; i < 4096; ++i) out[i] = uint8_t(i * 7 + 3);
  auto mapping = vfio::DmaMapping::map((*vfio_dev)->shared_backend(), buffer->bytes(), vfio::DmaAccess::read_write,
                                       {.last_usable = edu::kDmaLimit});
  if (!mapping) return die(mapping.error());

  // 4. MSI: one vector, signalled on an eventfd.
  auto vectors = (*vfio_dev)->enable_irq(vfio::irq_index(vfio::PciIrq::msi), 1);
  if (!vectors) return die(vectors.error());

  if (auto ok = dev->to_device(mapping->iova(), edu::kMaxTransfer); !ok) return die(ok.error());
  if (auto ok = dev->from_device(mapping->iova() + 4096, edu::kMaxTransfer, /*irq=*/true); !ok) return die(ok.error());
  auto fired = (*vectors)[0].wait(2000);
  if (!fired) return die(fired.error());
  const uint32_t status = dev->ack_irq();
  const bool same = std::memcmp(out, back, edu::kMaxTransfer) == 0;
  fmt::print("DMA {} bytes via IOVA {}: {}; MSI {} (status 0x{:x})\n", edu::kMaxTransfer, mapping->iova().str(),
             same ? "data came back intact" : "DATA DIFFERS", *fired ? "received" : "NOT received", status);
  // Leaving scope disables the MSI, unmaps the DMA and BAR0, closes the
  // device and releases the group or cdev, in that order.
  return same && *fired ? 0 : 1;
}

// SPDX-License-Identifier: Apache-2.0
// A PCI function (or an mdev) owned through VFIO: info, regions, config space, interrupts,
// reset. Closing it (destruction) disables its interrupts, unmaps its
// regions, closes the device fd and only then lets the backend release the
// group or cdev binding: the order the kernel needs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"
#include "vfiokit/vfio/backend/iommu_backend.hpp"
#include "vfiokit/vfio/device_address.hpp"
#include "vfiokit/vfio/event_fd.hpp"
#include "vfiokit/vfio/feature_ioctl.hpp"
#include "vfiokit/vfio/hot_reset.hpp"
#include "vfiokit/vfio/irq_info.hpp"
#include "vfiokit/vfio/mapped_region.hpp"
#include "vfiokit/vfio/region_info.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::vfio {

struct DeviceInfo {
  uint32_t flags = 0;
  uint32_t num_regions = 0;
  uint32_t num_irqs = 0;
  std::vector<uint16_t> caps;  // device capability IDs (zPCI, PCI atomics)
  bool is_pci() const;
  bool reset_supported() const;  // VFIO_DEVICE_RESET has a function-level method
};
std::string device_flag_names(uint32_t flags);

class Device {
 public:
  // Opens `device` through `backend` (a group in its container, or the cdev
  // bound to its iommufd). A PCI function must be bound to vfio-pci; an mdev
  // is bound to its parent's driver from creation.
  static Result<std::unique_ptr<Device>> open(std::shared_ptr<IommuBackend> backend, const DeviceAddress& device);
  // Opens with a backend of its own, chosen by `choice`.
  static Result<std::unique_ptr<Device>> open(const DeviceAddress& device,
                                              BackendChoice choice = BackendChoice::automatic,
                                              host::SysfsRoot root = host::SysfsRoot("/sys"));
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const DeviceAddress& address() const { return address_; }
  // The subject of messages: the BDF or the mdev UUID.
  const std::string& name() const { return address_.str(); }
  int fd() const { return fd_.get(); }
  IommuBackend& backend() const { return *backend_; }
  const std::shared_ptr<IommuBackend>& shared_backend() const { return backend_; }
  const DeviceInfo& info() const { return info_; }

  // Regions. region_info() asks the kernel every time (a region can change).
  Result<RegionInfo> region_info(uint32_t index) const;
  Result<std::vector<RegionInfo>> regions() const;
  // Maps the region once and keeps it until the device closes.
  Result<MappedRegion*> map_region(uint32_t index);
  // Drops a mapping (to re-map after the region changed).
  void unmap_region(uint32_t index);
  bool region_mapped(uint32_t index) const { return mapped_.count(index) != 0; }
  Result<void> read_region(uint32_t index, uint64_t offset, std::span<uint8_t> out) const;
  Result<void> write_region(uint32_t index, uint64_t offset, std::span<const uint8_t> in) const;

  // Config space through the config region, as vfio-pci virtualizes it.
  Result<std::vector<uint8_t>> read_config() const;
  Result<pci::DecodedDevice> decode_config() const;
  template <class T>
  Result<T> config_read(uint32_t offset) const {
    T v{};
    if (auto ok = read_region(uint32_t(PciRegion::config), offset, {reinterpret_cast<uint8_t*>(&v), sizeof(T)}); !ok)
      return fail(ok.error());
    return v;
  }
  template <class T>
  Result<void> config_write(uint32_t offset, T v) const {
    return write_region(uint32_t(PciRegion::config), offset, {reinterpret_cast<const uint8_t*>(&v), sizeof(T)});
  }
  // Memory decoding and bus mastering in the command register: VFIO leaves
  // bus mastering off, and a device cannot DMA without it.
  Result<void> enable_bus_master() const;

  // Interrupts through eventfds.
  Result<IrqInfo> irq_info(uint32_t index) const;
  // Enables `count` vectors of the index, each signalling its own eventfd
  // (replacing an earlier set: NORESIZE indexes are disabled first).
  Result<std::span<const EventFd>> enable_irq(uint32_t index, uint32_t count);
  // Points one vector at a new eventfd (or none), leaving the others alone.
  Result<const EventFd*> replace_vector(uint32_t index, uint32_t vector);
  Result<void> disable_irq(uint32_t index);
  Result<void> mask_irq(uint32_t index, uint32_t vector = 0) const;
  Result<void> unmask_irq(uint32_t index, uint32_t vector = 0) const;
  // Asks the kernel to signal the vector's eventfd itself (loopback), which
  // proves the plumbing for ERR and REQ without a real error.
  Result<void> trigger_irq(uint32_t index, uint32_t vector = 0) const;
  std::span<const EventFd> irq_eventfds(uint32_t index) const;

  // VFIO_DEVICE_FEATURE on this device (device_features, migration,
  // dma_logging take it). Valid while the device is open.
  KernelFeatureIoctl feature_ioctl() const { return KernelFeatureIoctl(fd(), name()); }

  // Resets.
  Result<void> reset() const;
  Result<HotResetInfo> hot_reset_info() const;
  // Resets the bus or slot; refuses, naming them, when an affected device is
  // not owned through this device's backend.
  Result<void> hot_reset() const;

 private:
  Device(std::shared_ptr<IommuBackend> backend, DeviceAddress address, UniqueFd fd)
      : backend_(std::move(backend)), address_(std::move(address)), fd_(std::move(fd)) {}
  Result<void> load_info();
  Result<void> transfer(uint32_t index, uint64_t offset, void* data, size_t size, bool write) const;
  Result<void> set_irqs(uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
                        std::span<const uint8_t> data) const;

  std::shared_ptr<IommuBackend> backend_;
  DeviceAddress address_;
  UniqueFd fd_;
  DeviceInfo info_;
  std::optional<RegionInfo> config_region_;
  std::map<uint32_t, std::unique_ptr<MappedRegion>> mapped_;
  std::map<uint32_t, std::vector<EventFd>> irqs_;
};

}  // namespace vfiokit::vfio

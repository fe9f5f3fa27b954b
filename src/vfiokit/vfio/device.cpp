// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/device.hpp"

#include <fmt/format.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/pci/config_space.hpp"
#include "vfiokit/vfio/backend/group.hpp"
#include "vfiokit/vfio/internal/info_chain.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"

namespace vfiokit::vfio {

bool DeviceInfo::is_pci() const { return flags & VFIO_DEVICE_FLAGS_PCI; }
bool DeviceInfo::reset_supported() const { return flags & VFIO_DEVICE_FLAGS_RESET; }

std::string device_flag_names(uint32_t flags) {
  static constexpr const char* kNames[] = {"reset", "pci", "platform", "amba", "ccw", "ap", "fsl-mc", "caps", "cdx"};
  std::string out;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if (!(flags & (1u << bit))) continue;
    if (!out.empty()) out += ",";
    out += bit < std::size(kNames) ? kNames[bit] : fmt::format("bit{}", bit);
  }
  return out.empty() ? "none" : out;
}

Result<std::unique_ptr<Device>> Device::open(std::shared_ptr<IommuBackend> backend, const DeviceAddress& address) {
  auto fd = backend->attach(address);
  if (!fd) return fail(fd.error());
  std::unique_ptr<Device> device(new Device(backend, address, std::move(*fd)));
  if (auto ok = device->load_info(); !ok) return fail(ok.error());  // the destructor detaches
  return device;
}

Result<std::unique_ptr<Device>> Device::open(const DeviceAddress& address, BackendChoice choice, host::SysfsRoot root) {
  std::error_code ec;
  const auto dir = address.sysfs_dir(root);
  if (!std::filesystem::exists(dir, ec))
    return fail(Errc::not_found, address.str(), fmt::format("no such {}", address.kind_name()));
  const auto driver = host::read_link_name(dir / "driver");
  if (address.is_mdev() ? !driver : driver != "vfio-pci") return fail(not_bound_error(root, address));
  auto kind = resolve_backend(choice, root, address);
  if (!kind) return fail(kind.error());
  auto backend = open_backend(*kind, root);
  if (!backend) return fail(backend.error());
  return open(std::move(*backend), address);
}

Device::~Device() {
  // Interrupts first (the kernel would also tear them down on close, but an
  // explicit disable leaves the device quiet before its BARs go away).
  for (auto& [index, fds] : irqs_)
    if (!fds.empty()) (void)set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, {});
  irqs_.clear();
  mapped_.clear();
  fd_.reset();
  backend_->detach(address_);
}

Result<void> Device::load_info() {
  std::vector<uint8_t> buf(sizeof(vfio_device_info));
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto* head = reinterpret_cast<vfio_device_info*>(buf.data());
    head->argsz = uint32_t(buf.size());
    if (auto ok = checked_ioctl(fd(), VFIO_DEVICE_GET_INFO, buf.data(), "VFIO_DEVICE_GET_INFO", name()); !ok)
      return fail(ok.error());
    if (head->argsz > buf.size()) {
      buf.assign(head->argsz, 0);
      continue;
    }
    info_.flags = head->flags;
    info_.num_regions = head->num_regions;
    info_.num_irqs = head->num_irqs;
    // cap_offset exists since 4.x; the 6.1 header calls it cap_offset too.
    if ((head->flags & VFIO_DEVICE_FLAGS_CAPS) && head->cap_offset) {
      auto caps = walk_info_chain(buf, head->cap_offset, sizeof(vfio_device_info), "VFIO_DEVICE_GET_INFO");
      if (!caps) return fail(caps.error());
      for (const auto& c : *caps) info_.caps.push_back(c.id);
    }
    if (!info_.is_pci())
      return fail(Errc::unsupported, name(),
                  fmt::format("is not a VFIO PCI device (flags {})", device_flag_names(info_.flags)));
    auto config = region_info(uint32_t(PciRegion::config));
    if (!config) return fail(config.error());
    config_region_ = *config;
    return {};
  }
  return fail(Errc::malformed, name(), "VFIO_DEVICE_GET_INFO keeps asking for a larger buffer");
}

Result<RegionInfo> Device::region_info(uint32_t index) const {
  if (index >= info_.num_regions)
    return fail(Errc::invalid_argument, name(),
                fmt::format("has {} regions; there is no region {}", info_.num_regions, index));
  std::vector<uint8_t> buf(sizeof(vfio_region_info) + 64);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto* head = reinterpret_cast<vfio_region_info*>(buf.data());
    *head = {};
    head->argsz = uint32_t(buf.size());
    head->index = index;
    if (auto ok = checked_ioctl(fd(), VFIO_DEVICE_GET_REGION_INFO, buf.data(), "VFIO_DEVICE_GET_REGION_INFO",
                                fmt::format("{} {}", name(), region_name(index)));
        !ok)
      return fail(ok.error());
    if (head->argsz > buf.size()) {
      buf.assign(head->argsz, 0);  // the capability chain needs more room
      continue;
    }
    auto info = parse_region_info(std::span<const uint8_t>(buf).first(std::max<size_t>(head->argsz, sizeof(*head))));
    if (!info) return fail(Error(info.error().code(), name(), info.error().message()));
    return info;
  }
  return fail(Errc::malformed, name(), "VFIO_DEVICE_GET_REGION_INFO keeps asking for a larger buffer");
}

Result<std::vector<RegionInfo>> Device::regions() const {
  std::vector<RegionInfo> out;
  for (uint32_t i = 0; i < info_.num_regions; ++i) {
    auto r = region_info(i);
    // vfio-pci answers EINVAL for the VGA index of a non-VGA device.
    if (!r && r.error().sys_errno() == EINVAL && i == uint32_t(PciRegion::vga)) continue;
    if (!r) return fail(r.error());
    out.push_back(*r);
  }
  return out;
}

Result<MappedRegion*> Device::map_region(uint32_t index) {
  if (auto it = mapped_.find(index); it != mapped_.end()) return it->second.get();
  auto info = region_info(index);
  if (!info) return fail(info.error());
  auto mapped = MappedRegion::map(fd(), *info, fmt::format("{} {}", name(), region_name(index)));
  if (!mapped) return fail(mapped.error());
  return (mapped_[index] = std::move(*mapped)).get();
}

void Device::unmap_region(uint32_t index) { mapped_.erase(index); }

Result<void> Device::transfer(uint32_t index, uint64_t offset, void* data, size_t size, bool write) const {
  // The config region never changes; other regions are asked for each time.
  auto info =
      index == uint32_t(PciRegion::config) && config_region_ ? Result<RegionInfo>(*config_region_) : region_info(index);
  if (!info) return fail(info.error());
  if (offset > info->size || size > info->size - offset)
    return fail(
        Errc::out_of_range, name(),
        fmt::format("{} bytes at 0x{:x} are beyond {} (0x{:x} bytes)", size, offset, region_name(index), info->size));
  const ssize_t n = write ? ::pwrite(fd(), data, size, off_t(info->offset + offset))
                          : ::pread(fd(), data, size, off_t(info->offset + offset));
  if (n != ssize_t(size))
    return fail(Error::from_errno(n < 0 ? errno : EIO, name(),
                                  fmt::format("{} of {} bytes at {}+0x{:x} failed", write ? "pwrite" : "pread", size,
                                              region_name(index), offset)));
  return {};
}

Result<void> Device::read_region(uint32_t index, uint64_t offset, std::span<uint8_t> out) const {
  return transfer(index, offset, out.data(), out.size(), false);
}

Result<void> Device::write_region(uint32_t index, uint64_t offset, std::span<const uint8_t> in) const {
  return transfer(index, offset, const_cast<uint8_t*>(in.data()), in.size(), true);
}

Result<std::vector<uint8_t>> Device::read_config() const {
  auto info = region_info(uint32_t(PciRegion::config));
  if (!info) return fail(info.error());
  std::vector<uint8_t> bytes(std::min<uint64_t>(info->size, 4096));
  if (auto ok = read_region(uint32_t(PciRegion::config), 0, bytes); !ok) return fail(ok.error());
  return bytes;
}

Result<pci::DecodedDevice> Device::decode_config() const {
  auto bytes = read_config();
  if (!bytes) return fail(bytes.error());
  auto config = pci::ConfigSpace::from_bytes(*bytes);
  if (!config) return fail(config.error());
  return pci::decode_device(*config);
}

Result<void> Device::enable_bus_master() const {
  auto cmd = config_read<uint16_t>(PCI_COMMAND);
  if (!cmd) return fail(cmd.error());
  return config_write<uint16_t>(PCI_COMMAND, uint16_t(*cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
}

Result<IrqInfo> Device::irq_info(uint32_t index) const {
  if (index >= info_.num_irqs)
    return fail(Errc::invalid_argument, name(),
                fmt::format("has {} interrupt indexes; there is no {}", info_.num_irqs, irq_name(index)));
  vfio_irq_info raw{.argsz = sizeof(raw), .flags = 0, .index = index, .count = 0};
  if (auto ok = checked_ioctl(fd(), VFIO_DEVICE_GET_IRQ_INFO, &raw, "VFIO_DEVICE_GET_IRQ_INFO",
                              fmt::format("{} {}", name(), irq_name(index)));
      !ok) {
    // vfio-pci answers EINVAL for an index this function cannot have (ERR
    // on a conventional PCI function): that index has no vectors.
    if (ok.error().sys_errno() == EINVAL) return IrqInfo{index, 0, 0};
    return fail(ok.error());
  }
  return IrqInfo{index, raw.flags, raw.count};
}

Result<void> Device::set_irqs(uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
                              std::span<const uint8_t> data) const {
  std::vector<uint8_t> buf(sizeof(vfio_irq_set) + data.size());
  auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
  set->argsz = uint32_t(buf.size());
  set->flags = flags;
  set->index = index;
  set->start = start;
  set->count = count;
  std::copy(data.begin(), data.end(), buf.begin() + sizeof(vfio_irq_set));
  if (auto ok = checked_ioctl(fd(), VFIO_DEVICE_SET_IRQS, buf.data(), "VFIO_DEVICE_SET_IRQS",
                              fmt::format("{} {}", name(), irq_name(index)));
      !ok)
    return fail(ok.error());
  return {};
}

Result<std::span<const EventFd>> Device::enable_irq(uint32_t index, uint32_t count) {
  auto info = irq_info(index);
  if (!info) return fail(info.error());
  if (info->count == 0) return fail(Errc::unsupported, name(), fmt::format("does not support {}", irq_name(index)));
  if (count == 0 || count > info->count)
    return fail(Errc::invalid_argument, name(),
                fmt::format("{} has {} vectors; cannot enable {}", irq_name(index), info->count, count));
  // Only one index is active at a time on vfio-pci (INTx, MSI or MSI-X), and
  // a NORESIZE index takes its vectors as one set.
  if (auto it = irqs_.find(index); it != irqs_.end() && !it->second.empty())
    if (auto ok = disable_irq(index); !ok) return fail(ok.error());
  std::vector<EventFd> fds;
  std::vector<int32_t> raw;
  for (uint32_t i = 0; i < count; ++i) {
    auto e = EventFd::create();
    if (!e) return fail(e.error());
    raw.push_back(e->fd());
    fds.push_back(std::move(*e));
  }
  if (auto ok = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, count,
                         {reinterpret_cast<const uint8_t*>(raw.data()), raw.size() * sizeof(int32_t)});
      !ok)
    return fail(ok.error());
  auto& stored = irqs_[index] = std::move(fds);
  return std::span<const EventFd>(stored);
}

Result<const EventFd*> Device::replace_vector(uint32_t index, uint32_t vector) {
  auto it = irqs_.find(index);
  if (it == irqs_.end() || vector >= it->second.size())
    return fail(Errc::invalid_argument, name(), fmt::format("{} vector {} is not enabled", irq_name(index), vector));
  auto e = EventFd::create();
  if (!e) return fail(e.error());
  const int32_t raw = e->fd();
  if (auto ok = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, vector, 1,
                         {reinterpret_cast<const uint8_t*>(&raw), sizeof(raw)});
      !ok)
    return fail(ok.error());
  it->second[vector] = std::move(*e);
  return &it->second[vector];
}

Result<void> Device::disable_irq(uint32_t index) {
  if (auto ok = set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, {}); !ok)
    return fail(ok.error());
  irqs_.erase(index);
  return {};
}

Result<void> Device::mask_irq(uint32_t index, uint32_t vector) const {
  return set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, index, vector, 1, {});
}

Result<void> Device::unmask_irq(uint32_t index, uint32_t vector) const {
  return set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, index, vector, 1, {});
}

Result<void> Device::trigger_irq(uint32_t index, uint32_t vector) const {
  return set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, vector, 1, {});
}

std::span<const EventFd> Device::irq_eventfds(uint32_t index) const {
  auto it = irqs_.find(index);
  if (it == irqs_.end()) return {};
  return it->second;
}

Result<void> Device::reset() const {
  if (!info_.reset_supported()) {
    const auto methods = host::read_attr(address_.sysfs_dir(backend_->sysfs()) / "reset_method");
    return fail(Errc::unsupported, name(),
                fmt::format("has no function-level reset VFIO can use (reset_method: {}); a hot reset of its bus "
                            "may still work",
                            methods && *methods ? **methods : "none"));
  }
  auto ok = checked_ioctl(fd(), VFIO_DEVICE_RESET, nullptr, "VFIO_DEVICE_RESET", name());
  if (!ok) return fail(ok.error());
  return {};
}

Result<HotResetInfo> Device::hot_reset_info() const {
  std::vector<uint8_t> buf(sizeof(vfio_pci_hot_reset_info) + 8 * sizeof(vfio_pci_dependent_device));
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::fill(buf.begin(), buf.end(), 0);
    auto* head = reinterpret_cast<vfio_pci_hot_reset_info*>(buf.data());
    head->argsz = uint32_t(buf.size());
    if (::ioctl(fd(), VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, buf.data()) != 0) {
      const int err = errno;
      if (err == ENOSPC) {
        buf.assign(sizeof(vfio_pci_hot_reset_info) + head->count * sizeof(vfio_pci_dependent_device), 0);
        continue;
      }
      if (err == ENODEV)
        return fail(Error(Errc::unsupported, name(), "cannot be hot reset: no bus or slot reset reaches it", err));
      return fail(Error::from_errno(err, name(), "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO failed"));
    }
    return parse_hot_reset_info(buf);
  }
  return fail(Errc::malformed, name(), "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO keeps asking for more room");
}

Result<void> Device::hot_reset() const {
  auto info = hot_reset_info();
  if (!info) return fail(info.error());
  auto proof = backend_->hot_reset_proof(info->peers);
  if (!proof) return fail(Error(proof.error().code(), name(), proof.error().message()));
  std::vector<uint8_t> buf(sizeof(vfio_pci_hot_reset) + proof->size() * sizeof(int32_t));
  auto* reset = reinterpret_cast<vfio_pci_hot_reset*>(buf.data());
  reset->argsz = uint32_t(buf.size());
  reset->flags = 0;
  reset->count = uint32_t(proof->size());
  std::copy(proof->begin(), proof->end(), reinterpret_cast<int32_t*>(buf.data() + sizeof(vfio_pci_hot_reset)));
  if (auto ok = checked_ioctl(fd(), VFIO_DEVICE_PCI_HOT_RESET, buf.data(), "VFIO_DEVICE_PCI_HOT_RESET", name()); !ok)
    return fail(ok.error());
  return {};
}

}  // namespace vfiokit::vfio

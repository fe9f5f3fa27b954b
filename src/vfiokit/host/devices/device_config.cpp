// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/device_config.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <span>
#include <system_error>

#include "vfiokit/host/devices/config_to_last_capability.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {
namespace {

// `where` names the file, built only for a message.
template <class Where>
Result<DeviceConfig> decode(std::span<const uint8_t> bytes, size_t file_size, const Where& where) {
  // A privileged read of a 4096-byte file can still stop early on some
  // devices; the config space size is what was actually read.
  size_t usable = bytes.size() >= pci::kExtendedSize       ? pci::kExtendedSize
                  : bytes.size() >= pci::kConventionalSize ? pci::kConventionalSize
                  : bytes.size() >= pci::kHeaderSize       ? pci::kHeaderSize
                                                           : 0;
  if (usable == 0)
    return fail(Errc::malformed, where(),
                fmt::format("only {} bytes could be read; the header needs 64", bytes.size()));
  auto config = pci::ConfigSpace::from_bytes(bytes.first(usable));
  if (!config) return std::unexpected(config.error());
  DeviceConfig out{std::move(*config), false, file_size};
  out.limited_by_privilege = out.file_size > usable && usable == pci::kHeaderSize;
  return out;
}

}  // namespace

Result<DeviceConfig> read_device_config(const SysfsRoot& root, const pci::Bdf& bdf) {
  const auto dir = root.device_dir(bdf);
  std::error_code ec;
  const auto path = dir / "config";
  auto bytes = read_file_bytes(path, pci::kExtendedSize);
  if (!bytes && bytes.error().sys_errno() == ENOENT && !std::filesystem::exists(dir, ec))
    return fail(Errc::not_found, bdf.str(), fmt::format("no such PCI device under {}", root.pci_devices().string()));
  if (!bytes) return std::unexpected(bytes.error());
  const auto file_size = std::filesystem::file_size(path, ec);
  return decode(*bytes, ec ? 0 : static_cast<size_t>(file_size), [&] { return path.string(); });
}

Result<DeviceConfig> read_device_config(const SysfsDir& dir) {
  if (dir.on_sysfs()) {
    // Each byte is asked of the device: read as far as the capabilities go
    // (host/config_to_last_capability.hpp).
    auto file = dir.open_file("config");
    if (!file) return std::unexpected(file.error());
    if (!*file) return fail(Errc::not_found, dir / "config", "missing");
    const SysfsFile& f = **file;
    auto partial = read_config_to_last_capability(
        [&](size_t offset, std::span<uint8_t> into) { return f.read_at(offset, into); }, f.size());
    if (!partial) return std::unexpected(partial.error());
    return decode(partial->bytes, f.size(), [&] { return f.path(); });
  }
  // A snapshot's file is read whole: one read, and nothing reaches a device.
  size_t file_size = 0;
  std::array<char, pci::kExtendedSize> bytes;
  auto n = dir.read_into("config", bytes, &file_size);
  if (!n) return std::unexpected(n.error());
  if (!*n) return fail(Errc::not_found, dir / "config", "missing");
  return decode({reinterpret_cast<const uint8_t*>(bytes.data()), **n}, file_size, [&] { return dir / "config"; });
}

}  // namespace vfiokit::host

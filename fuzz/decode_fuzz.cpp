// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over what `vfiokit decode` does with a file: parse it as
// a dump (lspci text or raw bytes), decode every device, and render both the
// text and the JSON form. The same bytes are also decoded directly as a
// 4096-byte config space so the capability walks see arbitrary pointers,
// and parsed as a function's sysfs `uevent`, the other text a host hands us.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vfiokit/cli/render/device_json.hpp"
#include "vfiokit/cli/render/device_text.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/devices/pci_uevent.hpp"
#include "vfiokit/pci/device.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace {

vfiokit::host::PciNames& names() {
  static vfiokit::host::PciNames instance;
  return instance;
}

void decode_and_render(const vfiokit::pci::ConfigSpace& config, const vfiokit::cli::DeviceLabel& label) {
  const auto decoded = vfiokit::pci::decode_device(config);
  (void)vfiokit::cli::device_text(label, decoded, names());
  (void)vfiokit::cli::device_json(label, decoded, names()).dump();
  (void)vfiokit::cli::device_defect_lines(decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (auto devices = vfiokit::pci::parse_dump(input, "fuzz")) {
    for (const auto& d : *devices) decode_and_render(d.config, {d.bdf, d.title, d.line});
  }
  std::vector<uint8_t> raw(vfiokit::pci::kExtendedSize, 0);
  std::copy_n(data, std::min(size, raw.size()), raw.begin());
  decode_and_render(vfiokit::pci::ConfigSpace::from_bytes(raw).value(), {});
  (void)vfiokit::host::parse_pci_uevent({reinterpret_cast<const char*>(data), size}, "fuzz");
  return 0;
}

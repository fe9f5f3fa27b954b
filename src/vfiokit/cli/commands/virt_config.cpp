// SPDX-License-Identifier: Apache-2.0
// `vfiokit virt-config BDF [--json] [--dump FILE] [--backend ...]`: the
// config space a VMM built on vfiokit would show a guest for this function,
// next to the physical one: BARs with their sizes, both capability lists,
// and every rewrite (hidden capabilities, the static ReBAR). --dump writes
// the guest view in `lspci -xxxx` format (`lspci -F FILE -vvv` reads it).
#include "vfiokit/cli/render/virt_config.hpp"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/pci/dump_format.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/virt/virtual_config.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

struct VirtOptions {
  std::string bdf;
  std::string backend = "auto";
  std::string dump;
  bool json = false;
};

int run_virt(const VirtOptions& o) {
  auto bdf = pci::Bdf::parse(o.bdf);
  if (!bdf) return print_error(bdf.error()), 1;
  auto choice = vfio::parse_backend_choice(o.backend);
  if (!choice) return print_error(choice.error()), 2;
  auto dev = vfio::Device::open(*bdf, *choice);
  if (!dev) return print_error(dev.error()), 1;
  auto physical = (*dev)->read_config();
  if (!physical) return print_error(physical.error()), 1;
  std::array<uint64_t, 7> sizes{};
  for (uint32_t i = 0; i < 7; ++i)
    if (auto r = (*dev)->region_info(i)) sizes[i] = r->size;
  auto guest = virt::VirtualConfig::build(*physical, sizes);
  if (!guest) return print_error(guest.error()), 1;
  const auto guest_config = *pci::ConfigSpace::from_bytes(guest->guest_bytes());
  const VirtConfigResult result{bdf->str(), sizes, pci::decode_device(*pci::ConfigSpace::from_bytes(*physical)),
                                pci::decode_device(guest_config), guest->rewrites()};
  if (o.json) print_json(virt_config_json(result));
  else fmt::print("{}", virt_config_text(result));
  if (!o.dump.empty()) {
    std::ofstream out(o.dump);
    out << pci::format_dump(*bdf, "guest view (vfiokit virt-config)", guest_config);
    if (!out.flush()) return print_error(Error::from_errno(errno, o.dump, "cannot write")), 1;
  }
  return 0;
}

}  // namespace

Runner add_virt_config_command(CLI::App& app) {
  auto o = std::make_shared<VirtOptions>();
  CLI::App* cmd = app.add_subcommand("virt-config", "Show the config space a guest would see for a vfio-pci device");
  cmd->add_option("BDF", o->bdf, "a function bound to vfio-pci")->required()->check(bdf_value());
  cmd->add_flag("--json", o->json, "print JSON (schema vfiokit.virt-config/1)");
  cmd->add_option("--dump", o->dump, "write the guest view as `lspci -xxxx` text to FILE");
  cmd->add_option("--backend", o->backend, "IOMMU backend: auto, type1, iommufd")
      ->check(CLI::IsMember({"auto", "type1", "iommufd"}));
  return [cmd, o] { return cmd->parsed() ? run_virt(*o) : -1; };
}

}  // namespace vfiokit::cli

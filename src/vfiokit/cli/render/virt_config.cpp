// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/virt_config.hpp"

#include <fmt/format.h>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/pci/capability_names.hpp"
#include "vfiokit/vfio/region_info.hpp"

namespace vfiokit::cli {

std::vector<std::string> capability_lines(const pci::DecodedDevice& d) {
  std::vector<std::string> out;
  for (const auto& c : d.capabilities)
    out.push_back(fmt::format("[{:0{}x}] {}", c.ref.offset, c.ref.space == pci::CapSpace::standard ? 2 : 3,
                              pci::capability_name(c.ref.space, c.ref.id)));
  return out;
}

nlohmann::ordered_json virt_config_json(const VirtConfigResult& r) {
  using json = nlohmann::ordered_json;
  json regions = json::array();
  for (unsigned i = 0; i < r.region_sizes.size(); ++i)
    if (r.region_sizes[i]) regions.push_back({{"region", vfio::region_name(i)}, {"size", r.region_sizes[i]}});
  return json{{"schema", "vfiokit.virt-config/1"},
              {"bdf", r.device},
              {"regions", regions},
              {"physical_capabilities", capability_lines(r.physical)},
              {"guest_capabilities", capability_lines(r.guest)},
              {"rewrites", r.rewrites}};
}

std::string virt_config_text(const VirtConfigResult& r) {
  std::string t = fmt::format("{}: the guest's view of config space (vfiokit virt/)\n", r.device);
  for (unsigned i = 0; i < r.region_sizes.size(); ++i)
    if (r.region_sizes[i])
      t += fmt::format("  {:<6} {:>10}  emulated: sizing returns the mask, addresses stay virtual\n",
                       vfio::region_name(i), ByteSize(r.region_sizes[i]).str());
  const auto p = capability_lines(r.physical), g = capability_lines(r.guest);
  t += fmt::format("  {:<40} {}\n", "physical", "guest");
  for (size_t i = 0; i < std::max(p.size(), g.size()); ++i)
    t += fmt::format("  {:<40} {}\n", i < p.size() ? p[i] : "", i < g.size() ? g[i] : "");
  for (const auto& rewrite : r.rewrites) t += fmt::format("  rewrite: {}\n", rewrite);
  return t;
}

}  // namespace vfiokit::cli

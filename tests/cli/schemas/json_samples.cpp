// SPDX-License-Identifier: Apache-2.0
// What validate_json.py needs beyond fixtures and the vfiokit binary:
//   json_samples documents          the JSON of the commands that need a
//                                   device opened through VFIO (probe,
//                                   virt-config), rendered from results
//                                   built as those commands build them; one
//                                   document per line (the lab runs the
//                                   commands themselves on real devices)
//   json_samples rebar-host VFIOKIT  `vfiokit rebar --json` on the resize
//                                   tests' simulated host with a resizable GPU
//   json_samples held-group JOURNAL  a journal entry of a group vfiokit holds
//                                   (the lab's 08:00.0 and 08:00.1), for status
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fakes/rebar_scenario.hpp"
#include "support/corpus.hpp"
#include "support/run_process.hpp"
#include "vfiokit/cli/render/probe.hpp"
#include "vfiokit/cli/render/virt_config.hpp"
#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/virt/virtual_config.hpp"

namespace {

using namespace vfiokit;

cli::ProbeResult probe_with_everything() {
  cli::ProbeResult r;
  r.device = "0000:01:00.0";
  r.backend = "iommufd";
  r.backend_detail = "vfio cdev /dev/vfio/devices/vfio0 bound to /dev/iommu";
  r.info = {0x2 | 0x1, 9, 5, {}};
  r.vendor_id = 0x1234;
  r.device_id = 0x11e8;
  vfio::RegionInfo bar0{0, 0x7, 1 << 20, 0, std::vector<vfio::SparseArea>{{0, 4096}}, std::nullopt, true, {}};
  vfio::RegionInfo igd{9, 0x1, 4096, 9ull << 40, std::nullopt, std::make_pair(0x80008086u, 1u), false, {5}};
  r.regions = {bar0, igd};
  r.irqs = {{0, 0x7, 1}, {2, 0x9, 32}};
  r.reset_method = "flr";
  r.hot_reset = vfio::HotResetInfo{0, true, {{pci::Bdf(0, 1, 0, 0), 3, true}}};
  r.features = std::vector<vfio::FeatureSupport>{{vfio::Feature::migration, true, false},
                                                 {vfio::Feature::low_power_entry, false, true}};
  r.migration = cli::ProbeResult::Migration{"STOP_COPY P2P", vfio::MigState::running};
  r.iova_ranges = {{0, 0xfedfffff}, {0xfef00000, (1ull << 48) - 1}};
  r.iommu_page_size = 4096;
  return r;
}

cli::ProbeResult probe_with_little() {
  cli::ProbeResult r;
  r.device = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
  r.backend = "type1";
  r.hot_reset_refusal = "not a PCI device";
  r.features_error = "VFIO_DEVICE_FEATURE: Inappropriate ioctl for device";
  r.problems = {Error(Errc::io, "config region", "cannot read")};
  return r;
}

}  // namespace

int print_rebar_host(const std::string& vfiokit) {
  testing::RebarScenario host(true);
  const auto r = testing::run_process(
      {vfiokit, "rebar", testing::RebarScenario::gpu.str(), "--json", "--sysfs-root", host.dir().string()});
  std::cout << r.out;
  std::cerr << r.err;
  return r.exit_code;
}

int write_held_group(const std::string& journal_dir) {
  host::BindingRecord record{15, "vfio-pci", {}};
  record.members = {{pci::Bdf(0, 8, 0, 0), host::Binding{"e1000e", std::nullopt}, false},
                    {pci::Bdf(0, 8, 0, 1), host::Binding{"", std::nullopt}, false}};
  host::JournalEntry entry;
  entry.key = host::binding_key(15);
  entry.state = host::ChangeState::held;
  entry.steps = {"set driver_override", "unbind e1000e", "probe vfio-pci", "verify"};
  entry.next_step = entry.steps.size();
  entry.pid = 1;
  entry.record = host::binding_record_to_json(record);
  std::filesystem::create_directories(journal_dir);
  std::ofstream(std::filesystem::path(journal_dir) / entry.key.file_name()) << host::journal_entry_to_json(entry);
  return 0;
}

int print_documents() {
  std::cout << cli::probe_json(probe_with_everything()).dump() << "\n";
  std::cout << cli::probe_json(probe_with_little()).dump() << "\n";
  for (const auto& d : testing::synthetic_corpus()) {
    if (d.name != "gpu-three-rebars" && d.name != "sriov-vf-rebar") continue;
    const std::array<uint64_t, 7> sizes = {16 << 20, 0, 256 << 20, 0, 0, 0, 128 << 10};
    auto guest = virt::VirtualConfig::build(d.config.bytes(), sizes);
    if (!guest) {
      std::cerr << guest.error().describe() << "\n";
      return 1;
    }
    const auto guest_config = *pci::ConfigSpace::from_bytes(guest->guest_bytes());
    const cli::VirtConfigResult result{d.bdf.str(), sizes, pci::decode_device(d.config),
                                       pci::decode_device(guest_config), guest->rewrites()};
    std::cout << cli::virt_config_json(result).dump() << "\n";
  }
  return 0;
}

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "documents" && argc == 2) return print_documents();
  if (what == "rebar-host" && argc == 3) return print_rebar_host(argv[2]);
  if (what == "held-group" && argc == 3) return write_held_group(argv[2]);
  std::cerr << "usage: json_samples documents | rebar-host VFIOKIT | held-group JOURNAL_DIR\n";
  return 2;
}

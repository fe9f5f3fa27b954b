// SPDX-License-Identifier: Apache-2.0
#include "lab/vfio/vfio_lab.hpp"

#include <unistd.h>

#include <filesystem>

namespace vfiokit::lab {

namespace {
pci::Bdf one(const std::vector<GuestDevice>& found, const char* what) {
  if (found.empty()) {
    ADD_FAILURE() << "the topology has no " << what;
    return {};
  }
  return found.front().bdf;
}
}  // namespace

size_t group_size(const pci::Bdf& bdf) {
  size_t n = 0;
  std::error_code ec;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/sys/bus/pci/devices/" + bdf.str() + "/iommu_group/devices", ec))
    ++n;
  return n;
}

// A function alone in its group behind a root port (with ACS).
pci::Bdf isolated(const std::vector<GuestDevice>& all, uint16_t vendor, uint16_t device, const char* what) {
  std::vector<GuestDevice> found;
  for (const auto& d : find_devices(all, vendor, device, std::pair{kRedHat, kRootPort}))
    if (group_size(d.bdf) == 1) found.push_back(d);
  return one(found, what);
}

const Topology& topology() {
  static const Topology found = [] {
    Topology t;
    const auto all = guest_devices(host::SysfsRoot("/sys"));
    t.edu = isolated(all, kQemu, kEdu, "edu alone behind a root port");
    t.e1000e = isolated(all, kIntel, kE1000e, "e1000e alone behind a root port");
    t.nvme = one(without_sriov(find_devices(all, kRedHat, kNvme)), "nvme");
    for (const auto& d : find_devices(all, kQemu, kEdu))
      if (d.bdf.function() == 1)
        t.mf_edu = d.bdf, t.mf_e1000e = pci::Bdf(d.bdf.domain(), d.bdf.bus(), d.bdf.device(), 0);
    if (t.mf_edu == pci::Bdf()) ADD_FAILURE() << "the topology has no multifunction e1000e + edu slot";
    for (const auto& d : all)
      if (d.parent_vendor == kRedHat && d.parent_device == kPciBridge) t.behind_bridge.push_back(d.bdf);
    if (t.behind_bridge.size() != 3) ADD_FAILURE() << "expected 3 devices behind the pcie-pci-bridge";
    t.bridge_edu = one(find_devices(all, kQemu, kEdu, std::pair{kRedHat, kPciBridge}), "edu behind the bridge");
    return t;
  }();
  return found;
}

std::vector<vfio::BackendKind> lab_backends() {
  std::vector<vfio::BackendKind> out{vfio::BackendKind::type1};
  if (::access("/dev/iommu", F_OK) == 0) out.push_back(vfio::BackendKind::iommufd);
  return out;
}

std::string backend_param_name(const ::testing::TestParamInfo<vfio::BackendKind>& info) {
  return vfio::backend_name(info.param);
}

vfio::BackendChoice choice_of(vfio::BackendKind kind) {
  return kind == vfio::BackendKind::type1 ? vfio::BackendChoice::type1 : vfio::BackendChoice::iommufd;
}

std::unique_ptr<vfio::Device> open_or_fail(const pci::Bdf& bdf, vfio::BackendKind kind) {
  auto dev = vfio::Device::open(bdf, choice_of(kind));
  if (!dev) {
    ADD_FAILURE() << dev.error().describe();
    return nullptr;
  }
  return std::move(*dev);
}

}  // namespace vfiokit::lab

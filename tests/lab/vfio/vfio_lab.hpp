// SPDX-License-Identifier: Apache-2.0
// Shared setup of the vfio/ lab tests: the default topology's devices found
// by IDs and placement, and the backends this kernel offers. Every test that
// touches a device runs once per backend (type1 on every kernel, iommufd
// where the kernel has it), like the kernel selftests' variant tables.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "lab/support/guest_binding.hpp"
#include "lab/support/guest_devices.hpp"
#include "vfiokit/vfio/device.hpp"

namespace vfiokit::lab {

constexpr uint16_t kRedHat = 0x1b36, kQemu = 0x1234, kIntel = 0x8086, kTi = 0x104c;
constexpr uint16_t kEdu = 0x11e8, kRootPort = 0x000c, kPciBridge = 0x000e, kNvme = 0x0010;
constexpr uint16_t kE1000e = 0x10d3, kE1000 = 0x100e, kPciTestdev = 0x0005, kSwitchDown = 0x8233;

// The functions of lab/topologies/default.topo the tests use.
struct Topology {
  pci::Bdf edu;     // alone behind a root port with ACS
  pci::Bdf e1000e;  // alone behind a root port with ACS
  pci::Bdf nvme;
  pci::Bdf mf_e1000e;                   // multifunction slot, fn0
  pci::Bdf mf_edu;                      // multifunction slot, fn1
  std::vector<pci::Bdf> behind_bridge;  // e1000, pci-testdev, edu behind the pcie-pci-bridge
  pci::Bdf bridge_edu;
};

// Finds them once; fails the calling test when one is missing.
const Topology& topology();

// The backends of this kernel: type1, plus iommufd with /dev/iommu.
std::vector<vfio::BackendKind> lab_backends();
std::string backend_param_name(const ::testing::TestParamInfo<vfio::BackendKind>& info);

vfio::BackendChoice choice_of(vfio::BackendKind kind);

// Opens a device through its own backend of `kind`, failing the test on error.
std::unique_ptr<vfio::Device> open_or_fail(const pci::Bdf& bdf, vfio::BackendKind kind);

}  // namespace vfiokit::lab

#define VFIOKIT_ASSERT_OK(expr)                                         \
  do {                                                                  \
    auto _vfiokit_result = (expr);                                      \
    ASSERT_TRUE(_vfiokit_result) << _vfiokit_result.error().describe(); \
  } while (0)

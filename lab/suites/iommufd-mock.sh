# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "iommufd-mock": iommufd dirty tracking on an IOMMUFD_TEST mock
# domain, on the lab's own kernel booted with intel_iommu=off (a mock device
# is only probed by the mock IOMMU when no other IOMMU driver is registered;
# see tests/lab/vfio/features_test.cpp). The pages the kernel's test
# interface marks dirty must be exactly the pages the bitmap reports.
lab_gtest /lab/bin/vfiokit_lab_vfio_tests --gtest_filter='FeaturesIommufdDirty.*'

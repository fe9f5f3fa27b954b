# SPDX-License-Identifier: Apache-2.0
# The vfio/ lab tests, shared by the normal build (vfiokit_lab_vfio_tests)
# and the sanitized clang tree (vfiokit_lab_vfio_asan_tests, fuzz/).
set(VFIOKIT_LAB_VFIO_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/../support/guest_devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../support/guest_binding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vfio_lab.cpp
  ${CMAKE_CURRENT_LIST_DIR}/edu_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nic_and_nvme_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/groups_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bad_input_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/virt_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/features_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rebar_device_test.cpp
)

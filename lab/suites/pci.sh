# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "pci": vfiokit's decoding against the real kernel's view of real
# (emulated) devices, and the lab's own guest helpers.

# The topology is where the topology file put it, found by IDs and parents.
EDU_RP=$(lab_find 1234:11e8 1b36:000c | head -n 1)
lab_check "find edu behind a root port" test -n "$EDU_RP"
lab_check "find the nvme" test -n "$(lab_find 1b36:0010)"
lab_check "find the pcie-pci-bridge" test -n "$(lab_find 1b36:000e)"
lab_check "find edu behind a switch downstream port" test -n "$(lab_find 1234:11e8 104c:8233)"

# The CLI on one function of each kind: an endpoint, a root port, a
# PCIe-to-PCI bridge, a conventional device, a switch port (the C++ tests
# below decode every function through the library).
for _id in 1234:11e8 1b36:000c 1b36:000e 8086:100e 104c:8233; do
  _b=$(lab_find "$_id" | head -n 1)
  lab_check "vfiokit show $_id ($_b)" vfiokit show "$_b"
done

# The guest helper binds a device to vfio-pci and gives it back.
if [ -n "$EDU_RP" ]; then
  _g=$(basename "$(readlink "/sys/bus/pci/devices/$EDU_RP/iommu_group")")
  lab_check "bind $EDU_RP to vfio-pci" lab_bind_vfio "$EDU_RP"
  lab_check "/dev/vfio/$_g exists for the bound edu" test -c "/dev/vfio/$_g"
  lab_unbind "$EDU_RP"
  lab_check "edu released from vfio-pci" test "$(lab_driver_of "$EDU_RP")" != vfio-pci
fi

# The SR-IOV nvme's VFs, for the C++ tests: groups, links, summary reads.
_pf=$(lab_enable_vfs 3)
lab_check "3 VFs of the SR-IOV nvme ($_pf)" sh -c "test -n '$_pf' && test \$(ls -d /sys/bus/pci/devices/$_pf/virtfn* | wc -l) = 3"

# Decoding of every real device, compared with lspci, in C++.
lab_gtest /lab/bin/vfiokit_lab_tests

# The suites after this one in the same boot see the topology as it was.
lab_enable_vfs 0 >/dev/null

# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "vfio": the vfio/ library against this kernel, once per backend it
# offers (type1 everywhere, iommufd on the lab's own kernel), then the CLI
# and the edu example driver as a user runs them.

# The 100 open/close cycles run in "vfio-extra", under LeakSanitizer; device
# features in "features" and "mdev".
lab_gtest /lab/bin/vfiokit_lab_vfio_tests --gtest_filter='-Backends/Lifecycle.*:*Features*:*RebarDevice*'

_edu=$(lab_find 1234:11e8 1b36:000c | head -n 1)
lab_bind_vfio "$_edu" >/dev/null
for _b in type1 $( [ -e /dev/iommu ] && echo iommufd ); do
  lab_check "vfiokit-edu $_edu ($_b)" vfiokit-edu "$_edu" "$_b"
  lab_check "vfiokit probe $_edu ($_b)" vfiokit probe --backend "$_b" "$_edu"
  lab_check "vfiokit probe --json $_edu ($_b)" sh -c "vfiokit probe --json --backend $_b $_edu | grep -q '\"backend\": \"$_b\"'"
done
lab_check "vfiokit virt-config $_edu" vfiokit virt-config "$_edu"
_nvme=$(lab_plain_nvme)
lab_bind_vfio "$_nvme" >/dev/null
lab_check "vfiokit virt-config --dump of $_nvme reads back in lspci -F" sh -c \
  "vfiokit virt-config --dump /tmp/guest.lspci $_nvme >/dev/null && lspci -vvv -F /tmp/guest.lspci | grep -q 'Non-Volatile memory controller'"
_virtio=$(lab_find 1af4:1041 | head -n 1)
lab_check "vfiokit probe refuses $_virtio (on virtio-pci) with status 1" sh -c "vfiokit probe $_virtio; test \$? = 1"

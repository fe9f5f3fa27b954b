# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "binding-in-use": `vfiokit bind` refuses functions the host is using
# and says what uses them; --force takes them anyway. Run on a stock kernel,
# which has the networking and swap these need.

lab_host_drivers

# The e1000e alone behind its root port.
_nic=
for _b in $(lab_find 8086:10d3 1b36:000c); do
  _g=$(basename "$(readlink "/sys/bus/pci/devices/$_b/iommu_group")")
  set -- "/sys/kernel/iommu_groups/$_g"/devices/*
  [ $# = 1 ] && _nic=$_b
done
_if=
for _n in "/sys/bus/pci/devices/$_nic"/net/*; do [ -e "$_n" ] && _if=${_n##*/} && break; done
lab_check "the lone e1000e $_nic has interface '$_if'" test -n "$_if"
ip link set "$_if" up
ip addr add 10.9.0.1/24 dev "$_if"
lab_check "bind refuses $_nic while $_if is up with an address" sh -c \
  "! vfiokit bind $_nic 2>/tmp/refusal; cat /tmp/refusal; grep -q 'network interface $_if is up with addresses 10.9.0.1' /tmp/refusal"
lab_check "$_nic is still on e1000e" test "$(lab_driver_of "$_nic")" = e1000e
lab_check "bind --force takes it anyway" vfiokit bind --force "$_nic"
lab_check "$_nic is on vfio-pci" test "$(lab_driver_of "$_nic")" = vfio-pci
lab_check "release gives it back" vfiokit release "$_nic"
lab_check "$_nic is on e1000e again" test "$(lab_driver_of "$_nic")" = e1000e

_nvme=$(lab_plain_nvme)
_disk=
for _b in /sys/class/block/nvme*; do [ -e "$_b" ] && _disk=${_b##*/} && break; done
lab_check "the nvme $_nvme has disk '$_disk'" test -n "$_disk"
mkswap "/dev/$_disk" >/dev/null
lab_check "swapon /dev/$_disk" swapon "/dev/$_disk"
lab_check "bind refuses $_nvme while its disk is swap" sh -c \
  "! vfiokit bind $_nvme 2>/tmp/refusal; cat /tmp/refusal; grep -q 'block device $_disk is active swap' /tmp/refusal"
lab_check "$_nvme is still on nvme" test "$(lab_driver_of "$_nvme")" = nvme
swapoff "/dev/$_disk"
lab_check "without swap, bind $_nvme works" vfiokit bind "$_nvme"
lab_check "and release gives it back to nvme" sh -c "vfiokit release $_nvme && test \"\$(readlink /sys/bus/pci/devices/$_nvme/driver)\" != ''"

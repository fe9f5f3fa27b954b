# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "rebar": a BAR resize plan on a real kernel, with the size write
# replaced by a no-op (`vfiokit rebar --rehearse`: no emulated device has a
# Resizable BAR). The edu behind the PCIe-to-PCI bridge shares the bridge's
# window with the e1000 and the pci-testdev: both are soft-removed,
# rescanned, and given back their drivers and driver_override; the edu's own
# vfio-pci binding is released and restored; IOMMU groups stay as they were.
# A run killed after each step is undone by `vfiokit recover` (after the
# suite "faults").

lab_host_drivers

_edu=$(lab_find 1234:11e8 1b36:000e | head -n 1)
_nic=$(lab_find 8086:100e 1b36:000e | head -n 1)
_testdev=$(lab_find 1b36:0005 1b36:000e | head -n 1)
lab_check "edu $_edu, e1000 $_nic and pci-testdev $_testdev behind the bridge" \
  test -n "$_edu" -a -n "$_nic" -a -n "$_testdev"

# Bindings that a remove and rescan would lose: the edu and the pci-testdev
# on vfio-pci by driver_override.
lab_check "edu on vfio-pci by override" lab_bind_vfio "$_edu"
lab_check "pci-testdev on vfio-pci by override" lab_bind_vfio "$_testdev"

# "BDF driver override group BAR0-size" for the three functions and the bridge.
_rebar_state() {
  for _b in "$_edu" "$_nic" "$_testdev"; do
    _d=/sys/bus/pci/devices/$_b
    _g=$(basename "$(readlink "$_d/iommu_group")")
    read -r _start _end _flags <"$_d/resource"
    _size=$((_end - _start + 1))
    echo "$_b $(lab_driver_of "$_b") $(cat "$_d/driver_override") group=$_g bar0=$_size"
  done
}
_same_rebar_state() {
  _rebar_state >/tmp/rebar.now
  if cmp -s /tmp/rebar.before /tmp/rebar.now; then lab_pass "$1"; else
    lab_fail "$1" "$(tr '\n' ';' </tmp/rebar.now) != $(tr '\n' ';' </tmp/rebar.before)"
  fi
}
_rebar_state >/tmp/rebar.before
cat /tmp/rebar.before

lab_check "the dry run plans to remove both siblings" sh -c \
  "vfiokit rebar $_edu --bar 0 --rehearse --dry-run | tee /tmp/plan | grep -q 'soft-remove $_nic' && grep -q 'soft-remove $_testdev' /tmp/plan"
cat /tmp/plan
_same_rebar_state "--dry-run changes nothing"

lab_check "rehearse the resize of $_edu BAR 0" vfiokit rebar "$_edu" --bar 0 --rehearse
lab_check "the kernel really removed and rescanned them" sh -c \
  "test \$(dmesg | grep -c 'pci $_nic: \[8086:100e\]') -ge 2 && test \$(dmesg | grep -c 'pci $_testdev: \[1b36:0005\]') -ge 2"
_same_rebar_state "drivers, overrides, groups and sizes are as before"
lab_check "the e1000 has its interface again" sh -c "ls /sys/bus/pci/devices/$_nic/net | grep -q ."
lab_check "the journal is empty" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep resize-)\""

_steps=$(grep -c '^  [0-9]*\. ' /tmp/plan)
lab_check "the plan has 9 steps" test "$_steps" = 9
# Fault injection, after the suite "faults": a kill after every step.
[ -n "${LAB_FAULTS:-}" ] || _steps=0
lab_kill_each_step "$_steps" _same_rebar_state "rehearsal" vfiokit rebar "$_edu" --bar 0 --rehearse

lab_host_drivers

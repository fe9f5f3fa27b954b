# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# lab-needs: guest-qemu
# Suite "profile": a passthrough profile on a real kernel
# (lab/topologies/rebar-device.topo, on the lab's own QEMU): `vfiokit profile
# create` names the slot's two functions (the Resizable BAR test device and
# an e1000e, one IOMMU group) by identities that survive renumbering; `up`
# resizes BAR2 and binds the group as one change, VFIO sees the new size,
# `down` gives back exactly what was there (drivers, overrides, sizes,
# groups); QEMU in the guest takes the functions after `up` and is refused
# them after `down`; an `up` killed after any of its steps is put back by
# `recover`, and one failing at any step is rolled back.

lab_host_drivers
# The test device with the e1000e beside it (the rebar-device suite's are
# alone or behind a switch).
_dev=$(lab_find_in_slot 1234:ba12 1b36:000c shared | head -n 1)
_nic=${_dev%.0}.1
lab_check "the test device $_dev and the e1000e $_nic share a slot" sh -c \
  "test -n '$_dev' && test \"\$(cat /sys/bus/pci/devices/$_nic/device)\" = 0x10d3"

_same_state() {
  lab_function_state /sys >/tmp/state.now
  if cmp -s /tmp/state.before /tmp/state.now; then lab_pass "$1"; else
    lab_fail "$1" "$(diff /tmp/state.before /tmp/state.now | grep '^[-+][^-+]' | tr '\n' ';')"
  fi
}

lab_check "vfiokit profile create names the slot's two functions" sh -c \
  "vfiokit profile create vm $_dev -o /tmp/created.toml && cat /tmp/created.toml &&
   grep -q '^id = \"1234:ba12\"' /tmp/created.toml && grep -q '^id = \"8086:10d3\"' /tmp/created.toml &&
   grep -q '^serial = ' /tmp/created.toml && ! grep -q '^bdf' /tmp/created.toml"
# BAR2 to 256 MiB, and the test device allowed D3cold where the kernel has the policy.
_extra='bar2 = "256M"'
[ -e "/sys/bus/pci/devices/$_dev/d3cold_allowed" ] &&
  [ "$(cat "/sys/bus/pci/devices/$_dev/d3cold_allowed")" = 0 ] && _extra="$_extra
d3cold_allowed = true"
awk -v extra="$_extra" '{ print } /^\[device.device\]$/ { print extra }' /tmp/created.toml >/tmp/vm.toml
cat /tmp/vm.toml

lab_function_state /sys >/tmp/state.before
cat /tmp/state.before
lab_check "up --dry-run prints the plan" sh -c \
  "vfiokit up /tmp/vm.toml --dry-run | tee /tmp/plan; grep -q 'write 8 to resource2_resize' /tmp/plan &&
   grep -q 'set driver_override to vfio-pci' /tmp/plan"
_same_state "--dry-run changes nothing"
lab_check "vfiokit up" vfiokit up /tmp/vm.toml
lab_check "BAR2 is 256 MiB and the slot's functions are on vfio-pci" sh -c \
  "sed -n 3p /sys/bus/pci/devices/$_dev/resource | { read -r s e f; test \$((e - s + 1)) = $((256 << 20)); } &&
   test \"\$(basename \$(readlink /sys/bus/pci/devices/$_dev/driver))\" = vfio-pci &&
   test \"\$(basename \$(readlink /sys/bus/pci/devices/$_nic/driver))\" = vfio-pci"
lab_check "vfiokit probe sees BAR2 at 256 MiB" sh -c "vfiokit probe $_dev | tee /tmp/probe; grep -Eq '^ +BAR2 +256MiB' /tmp/probe"
lab_check "status shows the profile up" sh -c "vfiokit status | tee /tmp/status; grep -q 'profile vm: up' /tmp/status"
_grp=$(basename "$(readlink "/sys/bus/pci/devices/$_dev/iommu_group")")
lab_check "release of the profile's group points at down" sh -c \
  "! vfiokit release --group $_grp 2>/tmp/err; cat /tmp/err; grep -q 'is held by profile vm: .vfiokit down vm. gives it back' /tmp/err"
lab_check "bind of the profile's group is refused" sh -c \
  "! vfiokit bind $_nic 2>/tmp/err; cat /tmp/err; grep -q 'is held by profile vm, which is up' /tmp/err"
lab_check "up again is a no-op that says so" sh -c \
  "vfiokit up /tmp/vm.toml | tee /tmp/again; grep -q 'profile vm is already up: nothing to do' /tmp/again"
# A VMM takes what `up` prepared: QEMU realizes both functions, with the
# sizes the profile set (and every other BAR as the kernel has it).
_vmm_sees_the_profile() {
  lab_vmm_take "$_dev" "$_nic" || return 1
  grep -q "^fn0 $_dev 1234:ba12 .*BAR2=$((256 << 20))" /tmp/vmm.bars || { echo "BAR2 is not 256 MiB in QEMU"; return 1; }
  grep -q "^fn1 $_nic 8086:10d3 " /tmp/vmm.bars || { echo "QEMU does not show $_nic"; return 1; }
  for _f in "$_dev" "$_nic"; do
    _n=0
    sed -n '1,6p' "/sys/bus/pci/devices/$_f/resource" | while read -r _s _e _x; do
      _size=$((_e - _s + (_e > 0)))
      if [ "$_size" -gt 0 ] && ! grep -Eq " $_f .* BAR$_n=$_size( |\$)" /tmp/vmm.bars; then
        echo "QEMU does not see BAR$_n of $_f at $_size bytes"; exit 1
      fi
      _n=$((_n + 1))
    done || return 1
  done
}
lab_check "QEMU takes both functions: query-pci shows the profile's BAR sizes" _vmm_sees_the_profile
lab_check "vfiokit down" vfiokit down vm
_same_state "down gives back drivers, overrides, sizes and groups exactly"
_vmm_refused() {
  if lab_vmm_take "$_dev" "$_nic"; then echo "QEMU took the functions after down"; return 1; fi
  grep -q "vfio $_dev" /tmp/vmm.err
}
lab_check "after down the same QEMU command fails with VFIO's own error" _vmm_refused

# A group `vfiokit bind` holds is its own until released.
lab_check "vfiokit bind holds the slot's group" vfiokit bind "$_nic"
lab_check "up refuses a group vfiokit bind holds" sh -c \
  "! vfiokit up /tmp/vm.toml 2>/tmp/err; cat /tmp/err; grep -q 'is held by .vfiokit bind.' /tmp/err"
lab_check "vfiokit release gives it back" vfiokit release "$_nic"
_same_state "bind and release, with up refused between, leave the host as it was"

_steps=$(grep -c '^  [0-9]*\. ' /tmp/plan)
lab_check "the plan has 8 or more steps" test "$_steps" -ge 8
lab_kill_each_step "$_steps" _same_state "up" vfiokit up /tmp/vm.toml
lab_fail_each_step "$_steps" _same_state "up" vfiokit up /tmp/vm.toml
lab_check "the journal is empty at the end" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep profile-)\""

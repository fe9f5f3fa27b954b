# shellcheck shell=dash
# Suite "profile": a passthrough profile on a real kernel
# (lab/topologies/profile.topo, on the lab's own QEMU): `vfiokit profile
# create` names the slot's two functions (the Resizable BAR test device and
# an e1000e, one IOMMU group) by identities that survive renumbering; `up`
# resizes BAR2 and binds the group as one change, VFIO sees the new size,
# `down` gives back exactly what was there (drivers, overrides, sizes,
# groups); an `up` killed after any of its steps is put back by `recover`.

lab_host_drivers
_dev=$(lab_find 1234:ba12 1b36:000c | head -n 1)
_nic=${_dev%.0}.1
lab_check "the test device $_dev and the e1000e $_nic share a slot" sh -c \
  "test -n '$_dev' && test \"\$(cat /sys/bus/pci/devices/$_nic/device)\" = 0x10d3"

# "BDF driver override group BAR0..5 sizes" of every function.
_profile_state() {
  for _p in /sys/bus/pci/devices/*; do
    _drv=$(readlink "$_p/driver" 2>/dev/null)
    _grp=$(readlink "$_p/iommu_group" 2>/dev/null)
    printf '%s %s %s group=%s' "${_p##*/}" "${_drv##*/}" "$(cat "$_p/driver_override")" "${_grp##*/}"
    sed -n '1,6p' "$_p/resource" | while read -r _s _e _f; do printf ' %d' $((_e - _s + (_e > 0))); done
    echo
  done
}
_same_state() {
  _profile_state >/tmp/state.now
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

_profile_state >/tmp/state.before
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
lab_check "up again is a no-op that says so" sh -c \
  "vfiokit up /tmp/vm.toml | tee /tmp/again; grep -q 'profile vm is already up: nothing to do' /tmp/again"
lab_check "vfiokit down" vfiokit down vm
_same_state "down gives back drivers, overrides, sizes and groups exactly"

_steps=$(grep -c '^  [0-9]*\. ' /tmp/plan)
lab_check "the plan has 8 or more steps" test "$_steps" -ge 8
_k=1
while [ "$_k" -lt "$_steps" ]; do
  VFIOKIT_TEST_KILL_AFTER_STEP=$_k vfiokit up /tmp/vm.toml >/dev/null 2>&1
  _rc=$?
  lab_check "up killed after step $_k (status $_rc)" test "$_rc" = 137
  lab_check "recover after a kill at step $_k" sh -c "vfiokit recover | tee /tmp/out | grep -q '1 operation(s) undone'; _rc=\$?; cat /tmp/out; exit \$_rc"
  _same_state "recovered exactly after step $_k"
  _k=$((_k + 1))
done
lab_check "the journal is empty at the end" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep profile-)\""

# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "rebar-device": real resizes of the lab's Resizable BAR test device
# (lab/topologies/rebar-device.topo, on the lab's own QEMU).
# Alone under a root port: what vfiokit reads equals lspci and the kernel's
# resourceN_resize; the size write really happens, growing and shrinking
# BAR2; a size the device does not offer is refused before any change; one
# that cannot fit is the kernel's ENOSPC, rolled back; bound to vfio-pci by
# driver_override before the resize, it is so after it.
# Behind a switch with a sibling: the plan empties the switch (the sibling's
# port leaves), the kernel grows every window up to the root port, and the
# root port is found again so that the sibling has room; killed after each
# step, `vfiokit recover` puts everything back. Then bound with vfiokit bind,
# VFIO sees the new size, maps the whole BAR and reads back its last page,
# and virt-config advertises only the new size in a static Resizable BAR.

lab_host_drivers
# The one alone under its root port (the profile suite's has an e1000e
# beside it, as function 1).
_dev=$(lab_find_in_slot 1234:ba12 1b36:000c alone | head -n 1)
lab_check "find the Resizable BAR device under its root port" test -n "$_dev"
_d=/sys/bus/pci/devices/$_dev

# The size of BAR N of function F from `resource` (line N: start end flags).
_bar_size() {
  sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource" | { read -r _s _e _f; echo $((_e - _s + 1)); }
}

# The simulator measured against the kernel: `_both NAME ARGS` runs
# `vfiokit rebar ARGS` for real and, with --simulate, on a snapshot taken
# just before, and the two outcomes must be equal: exit status and error;
# which functions were removed and found again (the kernel's "pci BDF:
# [vvvv:dddd] type" lines, the simulator's "removed:" log); and every
# function's BAR sizes, driver, driver_override and IOMMU group
# (lab_function_state). Each scenario prints a "LAB-SIM" row for the test
# command's table.
_outcome() {  # STATUS OUTPUT REMOVED SYSFS-ROOT
  if [ "$1" = 0 ]; then echo "exit 0"; else echo "exit $1: $(tail -n 1 "$2" | sed 's/.*: //')"; fi
  _found=$(echo "$3" | grep . | sort -u | tr '\n' ' ' | sed 's/ *$//')
  echo "found again: ${_found:-none}"
  lab_function_state "$4"
}
_both() {
  _name=$1
  shift
  rm -rf /tmp/sim
  # A directory, not an archive to unpack: no gzip either way, no tar, no
  # libarchive (0.1-0.2 s of every scenario under TCG).
  if ! vfiokit snapshot /tmp/sim >/dev/null 2>&1; then
    lab_fail "snapshot before: $_name" "vfiokit snapshot failed"
    return
  fi
  dmesg -c >/dev/null
  vfiokit rebar "$@" >/tmp/real.out 2>&1
  _rc=$?
  cat /tmp/real.out
  _outcome "$_rc" /tmp/real.out "$(dmesg | sed -n 's/.* pci \([0-9a-f:.]*\): \[[0-9a-f]*:[0-9a-f]*\] type .*/\1/p')" /sys \
    >/tmp/real.outcome
  vfiokit rebar "$@" --simulate /tmp/sim/sys >/tmp/sim.out 2>&1
  _rc=$?
  _outcome "$_rc" /tmp/sim.out "$(grep -o 'removed:[^"]*' /tmp/sim/sys/vfiokit-sim/state.json | tr ' ' '\n' | grep '^[0-9a-f]*:')" \
    /tmp/sim/sys >/tmp/sim.outcome
  _row="$(head -n 1 /tmp/real.outcome); $(sed -n 2p /tmp/real.outcome)"
  if cmp -s /tmp/real.outcome /tmp/sim.outcome; then
    echo "LAB-SIM $_name | $_row | equal"
    lab_pass "simulated as the kernel did it: $_name"
  else
    echo "LAB-SIM $_name | $_row | DIFFERENT"
    diff /tmp/real.outcome /tmp/sim.outcome
    lab_fail "simulated as the kernel did it: $_name" "$(diff /tmp/real.outcome /tmp/sim.outcome | grep '^[-+][^-+]' | tr '\n' ';')"
  fi
}

lab_check "vfiokit rebar agrees with lspci and resource2_resize" sh -c "
  vfiokit rebar $_dev | tee /tmp/rebar.txt &&
  grep -q 'BAR 2: current 16MiB, supported 1MiB 2MiB 4MiB 8MiB 16MiB 32MiB 64MiB 128MiB 256MiB 512MiB 1GiB 2GiB 4GiB 8GiB 16GiB 32GiB 64GiB' /tmp/rebar.txt &&
  grep -q 'resource2_resize: 000000000001ffff (agrees)' /tmp/rebar.txt &&
  lspci -s $_dev -vvv | grep -q 'BAR 2: current size: 16MB, supported: 1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB 256MB 512MB 1GB 2GB 4GB 8GB 16GB 32GB 64GB'"
lab_check "BAR2 starts at 16 MiB" test "$(_bar_size "$_dev" 2)" = $((16 << 20))

_both "grow within the root port's window (16 MiB -> 256 MiB)" "$_dev" --bar 2 --size 256M
lab_check "the kernel sees 256 MiB" test "$(_bar_size "$_dev" 2)" = $((256 << 20))
lab_check "and so does the device (lspci)" sh -c "lspci -s $_dev -vvv | grep -q 'BAR 2: current size: 256MB'"
_both "grow again (256 MiB -> 1 GiB)" "$_dev" --bar 2 --size 1G
lab_check "the kernel sees 1 GiB" test "$(_bar_size "$_dev" 2)" = $((1 << 30))
_both "shrink (1 GiB -> 2 MiB)" "$_dev" --bar 2 --size 2M
lab_check "the kernel sees 2 MiB" test "$(_bar_size "$_dev" 2)" = $((2 << 20))
_both "BAR4 to max (256 MiB)" "$_dev" --bar 4 --size max
lab_check "the kernel sees 256 MiB on BAR4" test "$(_bar_size "$_dev" 4)" = $((256 << 20))

cat "$_d/resource" >/tmp/resource.before
_both "a size the BAR does not offer (BAR4 1 GiB)" "$_dev" --bar 4 --size 1G
lab_check "a size BAR4 does not offer is refused (status 1)" grep -q '^exit 1: resource4_resize offers' /tmp/real.outcome
lab_check "and nothing changed" cmp -s "$_d/resource" /tmp/resource.before
lab_function_state /sys >/tmp/state.before-enospc
_both "a size that cannot fit (2 MiB -> 64 GiB)" "$_dev" --bar 2 --size 64G
lab_check "64 GiB cannot fit: the kernel's error, rolled back" grep -q '^exit 1: No space left on device' /tmp/real.outcome
lab_check "every function's sizes, driver, override and group as before" sh -c \
  "tail -n +3 /tmp/real.outcome | cmp - /tmp/state.before-enospc"
lab_check "BAR2 is 2 MiB again after the rollback" test "$(_bar_size "$_dev" 2)" = $((2 << 20))
lab_check "the journal is empty" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep resize-)\""

# Bound to vfio-pci by driver_override before the resize, and after it.
lab_check "the device on vfio-pci by override" lab_bind_vfio "$_dev"
_both "on vfio-pci by override (2 MiB -> 512 MiB)" "$_dev" --bar 2 --size 512M
lab_check "512 MiB, back on vfio-pci with its override" sh -c \
  "test $(_bar_size "$_dev" 2) = $((512 << 20)) && test \"\$(readlink $_d/driver)\" != '' &&
   test \"\$(basename \$(readlink $_d/driver))\" = vfio-pci && test \"\$(cat $_d/driver_override)\" = vfio-pci"

# Behind the switch: the device and its sibling, each below a downstream port.
_gpu=$(lab_find 1234:ba12 104c:8233 | head -n 1)
_sib=$(lab_find 1234:ba12 104c:8233 | tail -n 1)
_sib_port=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$_sib")")")
lab_check "the device $_gpu and its sibling $_sib behind the switch" test -n "$_gpu" -a "$_gpu" != "$_sib"
lab_check "the sibling on vfio-pci by override" lab_bind_vfio "$_sib"

# The state of every function behind the switch (lab_function_state).
_switch_functions=$(lab_find 1234:ba12 104c:8233)
# shellcheck disable=SC2086  # the BDFs are words
_switch_state() { lab_function_state /sys $_switch_functions; }
_same_switch_state() {
  _switch_state >/tmp/switch.now
  if cmp -s /tmp/switch.expected /tmp/switch.now; then lab_pass "$1"; else
    lab_fail "$1" "$(tr '\n' ';' </tmp/switch.now) != $(tr '\n' ';' </tmp/switch.expected)"
  fi
}
_gpu_bar2=$(_bar_size "$_gpu" 2)
lab_check "the kernel alone refuses to grow it: the sibling's port pins the switch (ENOSPC)" sh -c "
  echo 8 >/sys/bus/pci/devices/$_gpu/resource2_resize 2>/tmp/raw; grep -q 'No space left on device' /tmp/raw &&
  test \$(sed -n 3p /sys/bus/pci/devices/$_gpu/resource | { read -r s e f; echo \$((e - s + 1)); }) = $_gpu_bar2"
lab_check "the plan empties the switch: the sibling's port leaves, windows up to the root port grow" sh -c \
  "vfiokit rebar $_gpu --bar 2 --size 256M --dry-run | tee /tmp/plan; grep -q 'soft-remove $_sib_port and 1 function(s) below it' /tmp/plan &&
   grep -q 'windows the kernel releases and re-sizes: .*; placed in the host bridge aperture' /tmp/plan && grep -q 'pci=hpmmioprefsize' /tmp/plan"
cat /tmp/plan
# BAR2 is the seventh field: BDF, driver, override, group, BAR0, BAR1.
_switch_state | sed "s/^\($_gpu [^ ]* [^ ]* [^ ]* [^ ]* [^ ]*\) [^ ]*/\1 $((256 << 20))/" >/tmp/switch.expected
dmesg -c >/dev/null
_both "behind a switch with a sibling (16 MiB -> 256 MiB)" "$_gpu" --bar 2 --size 256M
_same_switch_state "256 MiB; the sibling back with its BARs, vfio-pci and override; groups as before"
lab_check "the kernel really removed and found the sibling again" sh -c "dmesg | grep -q 'pci $_sib: \[1234:ba12\]'"

_steps=$(vfiokit rebar "$_gpu" --bar 2 --size 1G --dry-run | grep -c '^  [0-9]*\. ')
lab_check "growing it to 1 GiB takes 10 or more steps" test "$_steps" -ge 10
_switch_state >/tmp/switch.expected
lab_kill_each_step "$_steps" _same_switch_state "resize" vfiokit rebar "$_gpu" --bar 2 --size 1G
lab_check "the journal is empty at the end" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep resize-)\""

# After the resize, handed to VFIO as a VMM would take it.
lab_check "vfiokit bind $_gpu after its resize" vfiokit bind "$_gpu"
lab_check "vfiokit probe sees BAR2 at its new 256 MiB" sh -c \
  "vfiokit probe $_gpu | tee /tmp/probe; grep -Eq '^ +BAR2 +256MiB .*mmap' /tmp/probe"
lab_gtest /lab/bin/vfiokit_lab_vfio_tests --gtest_filter='Backends/RebarDevice.*'
lab_check "vfiokit virt-config: the Resizable BAR made static for the guest" sh -c \
  "vfiokit virt-config $_gpu | tee /tmp/virt; grep -q 'Resizable BAR at 0x100 made static: current sizes only, read-only' /tmp/virt"
lab_check "lspci -vvv -F on its --dump agrees" sh -c \
  "vfiokit virt-config --dump /tmp/guest.lspci $_gpu >/dev/null && lspci -vvv -F /tmp/guest.lspci >/tmp/lspci-guest &&
   grep -q 'BAR 2: current size: 256MB, supported: 256MB$' /tmp/lspci-guest &&
   grep -q 'BAR 4: current size: 1MB, supported: 1MB$' /tmp/lspci-guest"

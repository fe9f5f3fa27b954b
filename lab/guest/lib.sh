# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Helpers for guest test suites (busybox sh). Suites call lab_check,
# lab_gtest, lab_pass and lab_fail; lab_find and lab_bind_vfio locate and
# prepare topology devices without hard-coding any address.

LAB_PASSED=0
LAB_FAILED=0

lab_pass() { LAB_PASSED=$((LAB_PASSED + 1)); echo "LAB-TEST PASS $1"; }
lab_fail() { LAB_FAILED=$((LAB_FAILED + 1)); echo "LAB-TEST FAIL $1: $2"; }

# lab_check NAME COMMAND...: passes when COMMAND succeeds; its output is
# shown, and its last line becomes the failure message.
lab_check() {
  _name=$1
  shift
  if "$@" >/tmp/check.out 2>&1; then
    cat /tmp/check.out
    lab_pass "$_name"
  else
    _rc=$?
    cat /tmp/check.out
    lab_fail "$_name" "exit $_rc: $(tail -n 1 /tmp/check.out)"
  fi
}

# lab_gtest BINARY [ARGS]: runs a GoogleTest binary and reports each test.
lab_gtest() {
  _bin=$1
  shift
  ( "$_bin" --gtest_color=no "$@" 2>&1; echo "LAB-GTEST-EXIT $?" ) | tee /tmp/gtest.out
  _ran=0
  # "[       OK ] Suite.Test (12 ms)" / "[  FAILED  ] Suite.Test (12 ms)";
  # parameterized tests add ", where GetParam() = ..." before the time. The
  # summary at the end repeats FAILED names without a time: not counted.
  # shellcheck disable=SC2013  # a test name is one word
  for _t in $(sed -n 's/^\[       OK \] \([^ ,]*\).* ([0-9]* ms)$/\1/p' /tmp/gtest.out); do lab_pass "$_t"; _ran=1; done
  # shellcheck disable=SC2013  # a test name is one word
  for _t in $(sed -n 's/^\[  FAILED  \] \([^ ,]*\).* ([0-9]* ms)$/\1/p' /tmp/gtest.out); do
    lab_fail "$_t" "$(grep -m1 -A2 'Failure$' /tmp/gtest.out | tail -n 2 | tr '\n' ' ')"
    _ran=1
  done
  _exit=$(sed -n 's/^LAB-GTEST-EXIT //p' /tmp/gtest.out)
  if [ "$_ran" = 0 ] || { [ "$_exit" != 0 ] && ! grep -q '^\[  FAILED  \]' /tmp/gtest.out; }; then
    lab_fail "$(basename "$_bin")" "exited with status $_exit without reporting its tests"
  fi
}

# The VFIO modules (no devices to probe; they share dependencies, which two
# modprobes must not load at once) one after the other, then the device
# drivers side by side: their probes mostly wait (e1000's PHY reset took
# 0.34 s of Debian 6.12's boot, each e1000e 0.1 s), and one driver's waits
# overlap the others' loading.
lab_load_modules() {
  for _m in vfio-pci vfio_iommu_type1 iommufd pci-stub; do
    modprobe "$_m" 2>/dev/null
  done
  for _m in e1000e e1000 nvme virtio_net; do
    modprobe "$_m" 2>/dev/null &
  done
  wait
  lab_wait_nvme
}

# nvme probes asynchronously: waits (up to 10 s) until every nvme function
# has its driver, so tests look at settled drivers. VFs are left alone:
# lab_enable_vfs makes them without a driver.
lab_wait_nvme() {
  for _b in $(lab_find 1b36:0010); do
    [ -e "/sys/bus/pci/devices/$_b/physfn" ] && continue
    _i=0
    while [ -z "$(lab_driver_of "$_b")" ] && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
  done
}

# lab_enable_vfs N: N VFs on every function that has SR-IOV (and none
# before), not probed by any driver: the kernel makes the functions, their
# links and groups, and nothing else touches them. Prints the PFs.
lab_enable_vfs() {
  for _d in /sys/bus/pci/devices/*; do
    [ -e "$_d/sriov_numvfs" ] || continue
    echo 0 >"$_d/sriov_drivers_autoprobe"
    echo 0 >"$_d/sriov_numvfs"
    echo "$1" >"$_d/sriov_numvfs" && echo "${_d##*/}"
  done
}

# Sets _id to "vvvv:dddd" of the function in directory $1, with shell
# builtins only: every fork costs under TCG.
_lab_id() {
  _v=; _i=
  read -r _v <"$1/vendor" 2>/dev/null
  read -r _i <"$1/device" 2>/dev/null
  _id="${_v#0x}:${_i#0x}"
}

# lab_find VENDOR:DEVICE [PARENT_VENDOR:PARENT_DEVICE]: BDFs of matching
# functions, optionally only those whose upstream bridge has the given IDs.
lab_find() {
  for _d in /sys/bus/pci/devices/*; do
    _lab_id "$_d"
    [ "$_id" = "$1" ] || continue
    if [ -n "${2:-}" ]; then
      _lab_id "$(readlink -f "$_d")/.."
      [ "$_id" = "$2" ] || continue
    fi
    echo "${_d##*/}"
  done
}

# lab_find_in_slot ID PARENT-ID alone|shared: what lab_find finds, only
# the functions alone in their slot, or only those with a function 1 beside.
lab_find_in_slot() {
  for _fs in $(lab_find "$1" "$2"); do
    if [ -e "/sys/bus/pci/devices/${_fs%.0}.1" ]; then
      [ "$3" = shared ] && echo "$_fs"
    else
      [ "$3" = alone ] && echo "$_fs"
    fi
  done
  return 0
}

# lab_plain_nvme: the topology's nvme, not its SR-IOV one (nor a VF).
lab_plain_nvme() {
  for _b in $(lab_find 1b36:0010); do
    [ -e "/sys/bus/pci/devices/$_b/sriov_totalvfs" ] || [ -e "/sys/bus/pci/devices/$_b/physfn" ] || { echo "$_b"; return; }
  done
}

lab_driver_of() { _l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && basename "$_l"; }

# The state checks below run after every step of every change a suite
# makes, so they use the shell's builtins only: under TCG each process is
# milliseconds, and the readlink, cat and sed they started for every
# function were a third of the profile suite's time.

# lab_link_name PATH: the last component of the link PATH's target, in _ln
# ("" when PATH is no link). The shell's own cd -P resolves a link to a
# directory; readlink reads one that leads nowhere (a snapshot holds no
# driver directories).
lab_link_name() {
  _ln="" _lwd=$PWD
  [ -L "$1" ] || return 0
  if cd -P "$1" 2>/dev/null; then
    _ln=${PWD##*/}
    cd "$_lwd" || return 1
  else
    _ln=$(readlink "$1")
    _ln=${_ln##*/}
  fi
}

# lab_function_state SYSFS [BDF...]: a line per function under SYSFS (/sys,
# or a snapshot's), every one or those named: "BDF driver override
# group=N" and the sizes of BARs 0-5 from `resource` ("-" for one with no
# address, whatever its line says).
lab_function_state() {
  _st_sys=$1
  shift
  [ $# -gt 0 ] || set -- "$_st_sys"/bus/pci/devices/*
  for _st_p in "$@"; do
    _st_p=$_st_sys/bus/pci/devices/${_st_p##*/}
    lab_link_name "$_st_p/driver"
    _st_line="${_st_p##*/} $_ln"
    _st_o=""
    read -r _st_o 2>/dev/null <"$_st_p/driver_override"
    lab_link_name "$_st_p/iommu_group"
    _st_line="$_st_line $_st_o group=$_ln" _st_n=0
    while [ "$_st_n" -lt 6 ] && read -r _st_s _st_e _st_f; do
      if [ $((_st_s)) = 0 ]; then _st_line="$_st_line -"; else _st_line="$_st_line $((_st_e - _st_s + 1))"; fi
      _st_n=$((_st_n + 1))
    done 2>/dev/null <"$_st_p/resource"
    echo "$_st_line"
  done
}

# lab_bind_vfio BDF: hands the function to vfio-pci (setup for tests; the
# product's own binding is `vfiokit bind`).
lab_bind_vfio() {
  _s=/sys/bus/pci/devices/$1
  [ -e "$_s/driver" ] && echo "$1" >"$_s/driver/unbind"
  echo vfio-pci >"$_s/driver_override"
  echo "$1" >/sys/bus/pci/drivers_probe
  [ "$(lab_driver_of "$1")" = vfio-pci ]
}

lab_unbind() {
  _s=/sys/bus/pci/devices/$1
  [ -e "$_s/driver" ] && echo "$1" >"$_s/driver/unbind"
  echo >"$_s/driver_override"
  echo "$1" >/sys/bus/pci/drivers_probe
}

# lab_host_drivers: every function back on the driver the kernel picks, with
# no driver_override (suites that ran before may have handed devices to
# vfio-pci); waits for asynchronous probes (nvme).
lab_host_drivers() {
  for _d in /sys/bus/pci/devices/*; do
    read -r _o <"$_d/driver_override"
    [ "$_o" = "(null)" ] || lab_unbind "${_d##*/}"
  done
  lab_wait_nvme
}

# Sends the sysfs files vfiokit reads, as a gzip'd tar, to the host on
# ttyS1: what `vfiokit snapshot` captures (sys/...), plus `lspci -xxxx` and
# the kernel release.
lab_snapshot() {
  _snap=/tmp/snapshot
  rm -rf $_snap
  mkdir -p $_snap
  lab_check "vfiokit snapshot" vfiokit snapshot $_snap/host.tar.gz
  lspci -D -xxxx >"$_snap/lspci-xxxx.txt" 2>/dev/null
  uname -r >"$_snap/kernel-release"
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  # vfiokit's archive goes inside as it is (the host unpacks both): taking
  # it apart and compressing it again costs most of a second under TCG.
  tar -C $_snap -cf - . | gzip -1 >/dev/ttyS1
  echo "lab: snapshot sent on ttyS1"
}

# lab_kill_each_step STEPS SAME WHAT COMMAND...: COMMAND (a change of
# STEPS steps) killed after each of its steps but the last, each kill put
# back by `vfiokit recover`; SAME NAME then checks the host is as before.
lab_kill_each_step() {
  _ks=$1 _ksame=$2 _kwhat=$3
  shift 3
  _kk=1
  while [ "$_kk" -lt "$_ks" ]; do
    VFIOKIT_TEST_KILL_AFTER_STEP=$_kk "$@" >/dev/null 2>&1
    _krc=$?
    lab_check "$_kwhat killed after step $_kk (status $_krc)" test "$_krc" = 137
    lab_check "recover after a kill at step $_kk" sh -c \
      "vfiokit recover | tee /tmp/out | grep -q '1 operation(s) undone'; _rc=\$?; cat /tmp/out; exit \$_rc"
    "$_ksame" "recovered exactly after step $_kk"
    _kk=$((_kk + 1))
  done
}

# lab_fail_each_step STEPS SAME WHAT COMMAND...: COMMAND with each of its
# steps failing in turn (VFIOKIT_TEST_FAIL_STEP), each failure rolled back
# by COMMAND itself; SAME NAME then checks the host is as before.
lab_fail_each_step() {
  _fs=$1 _fsame=$2 _fwhat=$3
  shift 3
  _fk=1
  while [ "$_fk" -le "$_fs" ]; do
    lab_check "$_fwhat failing at step $_fk is rolled back" sh -c \
      "VFIOKIT_TEST_FAIL_STEP=$_fk \"\$@\" >/tmp/out 2>&1; _rc=\$?; tail -n 2 /tmp/out; test \$_rc = 1 &&
       grep -q 'failed on purpose (VFIOKIT_TEST_FAIL_STEP) (step $_fk of $_fs' /tmp/out &&
       grep -q 'undone\|back as it was' /tmp/out" sh "$@"
    "$_fsame" "rolled back exactly after failing at step $_fk"
    _fk=$((_fk + 1))
  done
}

# lab_vmm_take FUNCTION...: the lab's own QEMU, copied into the guest,
# started as a VMM would start it for the functions (-device vfio-pci,
# host=FUNCTION each; -S: it realizes the devices and runs nothing), asked
# over QMP for `query-pci`. Prints, for each function, the IDs and BAR
# sizes QEMU sees, into /tmp/vmm.bars ("fn0 0000:02:00.0 1234:ba12
# BAR0=4096 BAR2=268435456"), and QEMU's own errors; the status is QEMU's.
lab_vmm_take() {
  _vargs="" _vi=0
  for _vf in "$@"; do
    _vargs="$_vargs -device vfio-pci,host=$_vf,id=fn$_vi"
    _vi=$((_vi + 1))
  done
  if [ ! -x /lab/bin/qemu-system-x86_64 ]; then
    echo "the lab's QEMU is not in the guest (lab/run copies it there with --qemu lab)"
    return 1
  fi
  # shellcheck disable=SC2086  # the -device options are words
  printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-pci"}' '{"execute":"quit"}' |
    timeout 300 qemu-system-x86_64 -L /lab/share/qemu -bios qboot.rom -machine q35 -accel tcg -m 32 \
      -nodefaults -display none -S -qmp stdio $_vargs >/tmp/vmm.out 2>/tmp/vmm.err
  _vrc=$?
  # query-pci's answer: one object per device, each opening with "irq_pin".
  grep '"return": \[' /tmp/vmm.out | awk '{ gsub(/\{"irq_pin"/, "\n&"); print }' | awk -v functions="$*" '
    BEGIN { n = split(functions, f, " ") }
    match($0, /"qdev_id": "fn[0-9]+"/) {
      id = substr($0, RSTART + 12, RLENGTH - 13)
      line = id " " f[substr(id, 3) + 1]
      match($0, /"vendor": [0-9]+/); vendor = substr($0, RSTART + 10, RLENGTH - 10)
      match($0, /"device": [0-9]+/); device = substr($0, RSTART + 10, RLENGTH - 10)
      line = line sprintf(" %04x:%04x", vendor, device)
      rest = $0
      while (match(rest, /\{[^{}]*"bar": [0-9]+[^{}]*\}/)) {
        region = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        match(region, /"bar": [0-9]+/); bar = substr(region, RSTART + 7, RLENGTH - 7)
        match(region, /"size": [0-9]+/); size = substr(region, RSTART + 8, RLENGTH - 8)
        line = line " BAR" bar "=" size
      }
      print line
    }' >/tmp/vmm.bars
  echo "QEMU exit $_vrc; query-pci sees:"
  cat /tmp/vmm.bars
  [ -s /tmp/vmm.err ] && sed 's/^/QEMU: /' /tmp/vmm.err
  return "$_vrc"
}

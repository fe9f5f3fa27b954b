# shellcheck shell=dash
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

lab_load_modules() {
  for _m in vfio-pci vfio_iommu_type1 iommufd e1000e e1000 nvme virtio_net pci-stub; do
    modprobe "$_m" 2>/dev/null
  done
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

# lab_plain_nvme: the topology's nvme, not its SR-IOV one (nor a VF).
lab_plain_nvme() {
  for _b in $(lab_find 1b36:0010); do
    [ -e "/sys/bus/pci/devices/$_b/sriov_totalvfs" ] || [ -e "/sys/bus/pci/devices/$_b/physfn" ] || { echo "$_b"; return; }
  done
}

lab_driver_of() { _l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && basename "$_l"; }

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

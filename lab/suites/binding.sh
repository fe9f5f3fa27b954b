# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "binding": `vfiokit bind`, `release`, `recover` and `status` against
# the real kernel: whole groups bound and given back exactly, failures that
# leave the host as it was, and (after the suite "faults") a kill -9 after
# every step repaired by `recover`.

lab_host_drivers

# The state of every function of the group holding $1 (lab_function_state).
_group_state() {
  lab_link_name "/sys/bus/pci/devices/$1/iommu_group"
  # shellcheck disable=SC2154  # _ln: lab_link_name's answer (guest/lib.sh)
  lab_function_state /sys "/sys/kernel/iommu_groups/$_ln"/devices/*
}

# lab_same_state NAME BDF BEFORE-FILE: the group is exactly as recorded.
_same_state() {
  _group_state "$2" >/tmp/state.now
  if cmp -s "$3" /tmp/state.now; then lab_pass "$1"; else lab_fail "$1" "$(tr '\n' ';' </tmp/state.now) != $(tr '\n' ';' <"$3")"; fi
}

_mf_edu=$(lab_find 1234:11e8 | while read -r _b; do case $_b in *.1) echo "$_b" ;; esac; done | head -n 1)
_bridge_edu=$(lab_find 1234:11e8 1b36:000e | head -n 1)
_nvme=$(lab_plain_nvme)

for _target in "$_mf_edu" "$_bridge_edu" "$_nvme"; do
  _group_state "$_target" >/tmp/state.before
  cat /tmp/state.before
  lab_check "bind --dry-run $_target prints a plan" sh -c "vfiokit bind --dry-run $_target | grep -q 'dry run: nothing was changed'"
  _same_state "bind --dry-run $_target changes nothing" "$_target" /tmp/state.before
  lab_check "bind $_target" vfiokit bind "$_target"
  lab_check "every endpoint of $_target's group is on vfio-pci" sh -c \
    "vfiokit status >/tmp/status && grep -q 'held on vfio-pci' /tmp/status && ! grep '^  ' /tmp/status | grep -v 'now vfio-pci' | grep -v 'bridge, left alone'"
  lab_check "status --json lists the group" sh -c "vfiokit status --json | grep -q '\"state\": \"held\"'"
  lab_check "release $_target" vfiokit release "$_target"
  _same_state "after release $_target's group is exactly as before" "$_target" /tmp/state.before
  lab_check "status is empty after release" sh -c "vfiokit status | grep -q 'holds nothing'"
done

# A bind that cannot complete leaves the host as it was: a driver that does
# not exist fails before any change; e1000 refuses to probe the e1000e and
# the edu of the multifunction slot, after their overrides were set and
# e1000e was unbound, and everything is rolled back.
_group_state "$_mf_edu" >/tmp/state.before
lab_check "bind --driver nosuchdriver fails" sh -c "! vfiokit bind --driver nosuchdriver $_mf_edu"
_same_state "a missing driver changed nothing" "$_mf_edu" /tmp/state.before
lab_check "bind --driver e1000 fails midway and says it rolled back" sh -c \
  "vfiokit bind --driver e1000 $_mf_edu 2>&1 | tee /dev/stderr | grep -q 'every function is back as it was'"
_same_state "the failed bind was rolled back exactly" "$_mf_edu" /tmp/state.before
lab_check "nothing is left in the journal" sh -c "vfiokit status | grep -q 'holds nothing'"

# Two vfiokits binding one group at once, on the real kernel: they meet at
# the group's lock, so one plans and binds while the other waits (saying
# so) and then finds the group already held; the journal keeps one entry
# with the true originals, and release gives back exactly what was there.
_group_state "$_mf_edu" >/tmp/state.before
vfiokit bind "$_mf_edu" >/tmp/bind.a 2>&1 &
_pa=$!
vfiokit bind "$_mf_edu" >/tmp/bind.b 2>&1 &
_pb=$!
wait "$_pa"
_ra=$?
wait "$_pb"
_rb=$?
cat /tmp/bind.a /tmp/bind.b
lab_check "two concurrent binds both end well (status $_ra and $_rb)" test "$_ra$_rb" = 00
lab_check "one of them waited for the other's lock, saying so" sh -c \
  "test \$(cat /tmp/bind.a /tmp/bind.b | grep -c 'waiting for another vfiokit to finish with group-') = 1"
lab_check "exactly one journal entry holds the group" sh -c "test \$(ls /run/vfiokit/group-*.json | wc -l) = 1"
lab_check "every endpoint is on vfio-pci after the two binds" sh -c \
  "vfiokit status >/tmp/status && ! grep '^  ' /tmp/status | grep -v 'now vfio-pci' | grep -v 'bridge, left alone'"
lab_check "release after two concurrent binds" vfiokit release "$_mf_edu"
_same_state "nothing was lost: the group is as before both binds" "$_mf_edu" /tmp/state.before
lab_check "the lock files are gone" sh -c "! ls /run/vfiokit/.*.lock 2>/dev/null"

# Hostile files in the journal, on the real kernel: a FIFO, a symlink, a
# recorded driver name that would leave bus/pci/drivers, a file naming
# another group and bad JSON, beside a real bind interrupted after step 3.
# status and recover finish (bounded by timeout) and name each bad file;
# recover undoes the real bind exactly; nothing outside is touched.
_group_state "$_mf_edu" >/tmp/state.before
echo untouched >/tmp/victim
VFIOKIT_TEST_KILL_AFTER_STEP=3 vfiokit bind "$_mf_edu" >/dev/null 2>&1
lab_check "a bind killed after step 3 left its entry" sh -c "ls /run/vfiokit/group-*.json"
mkfifo /run/vfiokit/group-990.json
ln -s /tmp/victim /run/vfiokit/group-991.json
_entry='{"schema": "vfiokit.journal/2", "kind": "group", "id": "ID", "state": "applying", "next_step": 1,
 "steps": ["a", "b"], "pid": 999999, "record": {"group": ID, "driver": "vfio-pci",
 "members": [{"bdf": "BDF", "driver": "DRIVER", "driver_override": null, "bridge": false}]}}'
echo "$_entry" | sed "s/ID/992/g; s|BDF|$_mf_edu|; s|DRIVER|../../../../x|" >/run/vfiokit/group-992.json
echo "$_entry" | sed "s/ID/994/g; s|BDF|$_mf_edu|; s|DRIVER|e1000e|" >/run/vfiokit/group-993.json
echo '{ not json' >/run/vfiokit/group-995.json
lab_check "status finishes and names every bad journal file" sh -c \
  "timeout 20 vfiokit status >/tmp/status.out 2>&1; cat /tmp/status.out; for n in 990 991 992 993 995; do grep -q group-\$n.json /tmp/status.out || exit 1; done"
lab_check "recover undoes the interrupted bind and names the bad files" sh -c \
  "timeout 20 vfiokit recover >/tmp/recover.out 2>&1; cat /tmp/recover.out; grep -q 'recover: 1 operation(s) undone' /tmp/recover.out && grep -q 'holds group-994.json instead' /tmp/recover.out && grep -q 'is not a driver name' /tmp/recover.out"
_same_state "the interrupted bind was undone exactly despite the bad files" "$_mf_edu" /tmp/state.before
lab_check "nothing outside the journal was touched" sh -c "test \"\$(cat /tmp/victim)\" = untouched && test ! -e /x"
rm -f /run/vfiokit/group-99?.json
lab_check "the journal holds nothing again" sh -c "vfiokit status | grep -q 'holds nothing'"

# Fault injection (after the suite "faults"): SIGKILL after each step of a
# bind, then after each step of a release; `vfiokit recover` restores the
# original state every time.
_steps=$(vfiokit bind --dry-run "$_mf_edu" | grep -c '^  [0-9]*\. ')
lab_check "the multifunction bind has several steps ($_steps)" test "$_steps" -ge 5
[ -n "${LAB_FAULTS:-}" ] || _steps=0
_k=1
while [ "$_k" -le "$_steps" ]; do
  VFIOKIT_TEST_KILL_AFTER_STEP=$_k vfiokit bind "$_mf_edu" >/dev/null 2>&1
  _rc=$?
  lab_check "bind killed after step $_k (status $_rc)" test "$_rc" = 137
  lab_check "recover after a kill at bind step $_k" vfiokit recover
  _same_state "recovered exactly after bind step $_k" "$_mf_edu" /tmp/state.before
  _k=$((_k + 1))
done
for _k in ${LAB_FAULTS:+1 2 3}; do
  vfiokit bind "$_mf_edu" >/dev/null
  VFIOKIT_TEST_KILL_AFTER_STEP=$_k vfiokit release "$_mf_edu" >/dev/null 2>&1
  _rc=$?
  lab_check "release killed after step $_k (status $_rc)" test "$_rc" = 137
  lab_check "recover after a kill at release step $_k" vfiokit recover
  _same_state "recovered exactly after release step $_k" "$_mf_edu" /tmp/state.before
done

# --persist: the rule it installs binds the group again when the kernel adds
# the function, as at boot. The "boot" here is a remove and rescan, after
# which the host driver has the nvme again; then the rule's command runs as
# udev would run it.
export VFIOKIT_UDEV_RULES_DIR=/tmp/rules
_group_state "$_nvme" >/tmp/state.before
lab_check "bind --persist $_nvme" vfiokit bind --persist "$_nvme"
_rule=/tmp/rules/70-vfiokit-$_nvme.rules
lab_check "the udev rule names $_nvme" grep -q "KERNEL==\"$_nvme\"" "$_rule"
lab_check "release without --persist keeps the rule" sh -c "vfiokit release $_nvme && test -e $_rule"
echo 1 >"/sys/bus/pci/devices/$_nvme/remove"
echo 1 >/sys/bus/pci/rescan
_i=0
while [ "$(lab_driver_of "$_nvme")" != nvme ] && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
lab_check "after remove and rescan the nvme driver has $_nvme" test "$(lab_driver_of "$_nvme")" = nvme
# udev puts the announced function's name where the rule says %k.
_cmd=$(sed -n "s|.*KERNEL==\"$_nvme\", RUN+=\"\(.*\)\"|\1|p" "$_rule" | sed "s|%k|$_nvme|")
lab_check "the rule runs the installed vfiokit" sh -c "echo '$_cmd' | grep -q '^/usr/local/bin/vfiokit bind '"
lab_check "the rule's command ($_cmd) binds it again" sh -c "$_cmd"
lab_check "$_nvme is on vfio-pci as at boot" test "$(lab_driver_of "$_nvme")" = vfio-pci
lab_check "release --persist gives it back and removes the rule" sh -c "vfiokit release --persist $_nvme && test ! -e $_rule"
_same_state "after release --persist the nvme is as before" "$_nvme" /tmp/state.before
unset VFIOKIT_UDEV_RULES_DIR

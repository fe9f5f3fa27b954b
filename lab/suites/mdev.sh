# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "mdev": mediated devices on the lab's own kernel, which builds in the
# mtty sample driver (migration v2, DMA logging ops). Two mtty mdevs: state
# saved from one and loaded into the other, illegal arcs, a failed
# transition ending in the recover state; then the CLI, including a killed
# creation that `recover` cleans up.
lab_gtest /lab/bin/vfiokit_lab_vfio_tests --gtest_filter='Backends/FeaturesMdev.*'

_u1=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
_u2=83b8f4f2-509f-382f-3c1e-e6bfe0fa1002
lab_check "vfiokit mdev list shows mtty's types" sh -c "vfiokit mdev list | tee /dev/stderr | grep -q 'mtty-2 .*vfio-pci'"
lab_check "vfiokit mdev create --dry-run changes nothing" sh -c \
  "vfiokit mdev create mtty-2 --uuid $_u1 --dry-run && test ! -e /sys/bus/mdev/devices/$_u1"
lab_check "vfiokit mdev create $_u1" vfiokit mdev create mtty-2 --uuid $_u1
lab_check "vfiokit mdev create $_u2" vfiokit mdev create mtty-2 --uuid $_u2
lab_check "vfiokit mdev create refuses a UUID in use" sh -c "vfiokit mdev create mtty-2 --uuid $_u1; test \$? = 1"
lab_check "vfiokit mdev list --json lists both" sh -c \
  "vfiokit mdev list --json > /tmp/mdev.json; grep -q $_u1 /tmp/mdev.json && grep -q $_u2 /tmp/mdev.json"
lab_check "vfiokit probe $_u1 shows migration and features" sh -c \
  "vfiokit probe $_u1 | tee /dev/stderr | grep -q 'migration: STOP_COPY, P2P, PRE_COPY; state RUNNING'"
lab_check "vfiokit migrate save $_u1 leaves it stopped" sh -c \
  "vfiokit migrate save $_u1 /tmp/mtty.state && vfiokit probe $_u1 | grep -q 'state STOP\$'"
lab_check "vfiokit migrate save --resume runs it again" sh -c \
  "vfiokit migrate save --resume $_u1 /tmp/mtty.state && vfiokit probe $_u1 | grep -q 'state RUNNING'"
lab_check "vfiokit migrate load $_u2" vfiokit migrate load $_u2 /tmp/mtty.state
lab_check "vfiokit migrate load refuses a cut-short file" sh -c \
  "head -c 30 /tmp/mtty.state > /tmp/cut.state; vfiokit migrate load $_u2 /tmp/cut.state; test \$? = 1"
_edu=$(lab_find 1234:11e8 1b36:000c | head -n 1)
lab_bind_vfio "$_edu" >/dev/null
lab_check "vfiokit migrate save refuses a device without migration" sh -c \
  "echo keep > /tmp/edu.state; vfiokit migrate save $_edu /tmp/edu.state 2>&1 | grep -q 'does not support migration' && test \"\$(cat /tmp/edu.state)\" = keep"
lab_check "vfiokit mdev remove $_u1" vfiokit mdev remove $_u1
lab_check "vfiokit mdev remove $_u2" vfiokit mdev remove $_u2
lab_check "vfiokit mdev remove of a missing mdev fails" sh -c "vfiokit mdev remove $_u1; test \$? = 1"
# Killed after the create write (step 2) and after the journal entry only
# (step 1): recover removes what exists and forgets the entry.
lab_check "a creation killed after the create write is removed by recover" sh -c \
  "VFIOKIT_TEST_KILL_AFTER_STEP=2 vfiokit mdev create mtty-2 --uuid $_u1; test -e /sys/bus/mdev/devices/$_u1 && vfiokit recover | tee /dev/stderr | grep -q 'removed' && test ! -e /sys/bus/mdev/devices/$_u1"
lab_check "a creation killed before the create write leaves nothing" sh -c \
  "VFIOKIT_TEST_KILL_AFTER_STEP=1 vfiokit mdev create mtty-2 --uuid $_u1; test ! -e /sys/bus/mdev/devices/$_u1 && vfiokit recover | grep -q 'never created' && vfiokit recover | grep -q '0 operation'"

# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "features": the device features every lab kernel has. Low power on
# e1000e under vfio-pci, power_state read before and after entry and exit,
# and the wake-up eventfd path; type1 dirty pages.
lab_gtest /lab/bin/vfiokit_lab_vfio_tests --gtest_filter='Backends/FeaturesPower.*:FeaturesType1Dirty.*'

_nic=$(lab_find 8086:10d3 | head -n 1)
lab_bind_vfio "$_nic" >/dev/null
lab_check "vfiokit power $_nic shows power_state" sh -c "vfiokit power $_nic | grep -q 'power_state D'"
lab_check "vfiokit power --cycle $_nic reaches D3 and comes back" sh -c \
  "vfiokit power --cycle $_nic > /tmp/power.out; cat /tmp/power.out; grep -q 'LOW_POWER_ENTRY  *-> D3' /tmp/power.out && grep -q 'LOW_POWER_EXIT  *-> D0' /tmp/power.out"
lab_check "vfiokit power --cycle --wakeup $_nic is woken through the eventfd" sh -c \
  "vfiokit power --cycle --wakeup --json $_nic > /tmp/power.json; cat /tmp/power.json; grep -q '\"reached_low_power\": true' /tmp/power.json && grep -q 'wake-up eventfd signalled' /tmp/power.json"
lab_check "vfiokit power --wakeup without --cycle is a usage error" sh -c "vfiokit power --wakeup $_nic; test \$? = 2"

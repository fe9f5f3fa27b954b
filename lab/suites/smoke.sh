# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "smoke": for any topology (`lab/run --topology FILE`): every function
# is decoded by `vfiokit show` and by the library, without defects and as
# lspci sees it.
for _d in /sys/bus/pci/devices/*; do
  lab_check "vfiokit show ${_d##*/}" vfiokit show "${_d##*/}"
done
lab_gtest /lab/bin/vfiokit_lab_tests --gtest_filter='RealDevices.EveryFunction*'

# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "vfio-extra": what needs one kernel with both backends (the lab's
# own), not all three: the sanitized vfio/ tests and the DMA benchmark.

# The same tests built with ASan and UBSan: the open/close cycles and the
# edu driver must leak nothing (LeakSanitizer fails the binary at exit).
if [ -x /lab/bin/vfiokit_lab_vfio_asan_tests ]; then
  lab_gtest /lab/bin/vfiokit_lab_vfio_asan_tests --gtest_filter='Backends/Lifecycle.*:Backends/Edu.Dma*'
else
  lab_fail "sanitized vfio tests" "vfiokit_lab_vfio_asan_tests is not in the initramfs: build the sanitized tree (scripts/test does; lab/run --sanitized-build DIR)"
fi

_edu=$(lab_find 1234:11e8 1b36:000c | head -n 1)
lab_bind_vfio "$_edu" >/dev/null
# Figures: DMA map+unmap through vfiokit against raw ioctls (lines "BENCH").
lab_check "DMA map+unmap benchmark" vfiokit_lab_dma_bench "$_edu"

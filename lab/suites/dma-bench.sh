# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "dma-bench": the DMA map+unmap benchmark alone, on any topology with
# an edu behind a root port; with lab/topologies/minimal.topo it boots in a
# few seconds, for measuring the DMA path:
#   lab/run --kernel custom --suite dma-bench --topology lab/topologies/minimal.topo
_edu=$(lab_find 1234:11e8 1b36:000c | head -n 1)
lab_bind_vfio "$_edu" >/dev/null
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
lab_check "DMA map+unmap benchmark" vfiokit_lab_dma_bench "$_edu"

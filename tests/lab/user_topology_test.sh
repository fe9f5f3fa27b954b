#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A topology file written by a user, outside the repository, boots with
# --topology and --kernel, and its devices are there in the guest.
#   user_topology_test.sh BUILD_DIR
set -uo pipefail
build=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/mine.topo" <<'TOPO'
# one edu behind a root port, and an e1000 on the root bus
memory 512M
device pcie-root-port,id=mine1,bus=pcie.0,addr=0x3,chassis=1,slot=1
device edu,bus=mine1
device e1000,bus=pcie.0,addr=0x4
TOPO
out=$build/lab/user-topology
"$here/lab/run" --kernel custom --topology "$dir/mine.topo" --suite smoke --build "$build" --out "$out" --snapshot
status=$?
[ "$status" = 0 ] || { echo "user_topology_test: lab/run exited $status"; exit 1; }
ids=$(cat "$out"/sysfs/sys/devices/pci0000:00/*/vendor "$out"/sysfs/sys/devices/pci0000:00/*/*/vendor 2>/dev/null | sort | uniq -c)
count=$(find "$out/sysfs/sys/bus/pci/devices" -mindepth 1 -maxdepth 1 | wc -l)
# q35's 5 functions (host bridge, VGA, LPC, SATA, SMBus) + root port + edu + e1000
[ "$count" = 8 ] || { echo "user_topology_test: expected 8 functions, the guest had $count"; exit 1; }
grep -q 0x1234 <<<"$ids" || { echo "user_topology_test: no edu in the guest"; exit 1; }
echo "user_topology_test: the user's topology booted with its $count functions"

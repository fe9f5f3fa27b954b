#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A topology file with a mistake is refused before anything boots, with the
# file, the line and what is wrong; lab/run exits 2.
#   bad_topology_test.sh BUILD_DIR
set -uo pipefail
build=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() {  # NAME CONTENT EXPECTED-TEXT
  printf '%s\n' "$2" >"$dir/$1.topo"
  out=$("$here/lab/run" --kernel custom --topology "$dir/$1.topo" --build "$build" --out "$dir/out-$1" 2>&1)
  status=$?
  if [ "$status" != 2 ] || ! grep -qF -- "$3" <<<"$out"; then
    echo "bad_topology_test: $1: exit $status, output: $out"
    fail=1
  fi
  if pgrep -f "qemu-system-x86_64.*$dir/out-$1" >/dev/null; then echo "bad_topology_test: $1 started QEMU"; fail=1; fi
}
check keyword $'device edu\nbogus thing' "$dir/keyword.topo:2: unknown keyword 'bogus'"
check disk $'disk 9bad 16M' "$dir/disk.topo:1: 'disk' needs an ID"
check size $'disk nvm0 lots' "'disk nvm0' needs a size like 16M"
check memory $'memory plenty' "'memory' needs a size like 1G"
check empty $'# nothing here' "no devices"
check device $'device' "'device' needs QEMU device arguments"
out=$("$here/lab/run" --kernel nope 2>&1) && rc=0 || rc=$?
if [ "$rc" != 2 ] || ! grep -q "unknown kernel 'nope'" <<<"$out"; then echo "bad kernel: $out"; fail=1; fi
out=$("$here/lab/run" --suite nope 2>&1) && rc=0 || rc=$?
if [ "$rc" != 2 ] || ! grep -q "no suite 'nope'" <<<"$out"; then echo "bad suite: $out"; fail=1; fi
[ $fail = 0 ] && echo "bad_topology_test: every mistake refused before boot"
exit $fail

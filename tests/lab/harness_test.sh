#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves the lab harness fails the way a user needs it to: a failing guest
# test fails lab/run with the guest's message; a hang or a panic fails within
# the timeout and shows the tail of the serial log; no QEMU is left running.
# It boots the lab's own kernel, the quickest to boot, on the smallest
# topology.
#   harness_test.sh fail|hang|panic BUILD_DIR
set -uo pipefail
case=$1
build=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/lab/harness-$case
limit=240
expect=()
case $case in
fail) expect=("FAIL a check that fails on purpose: exit 3: guest says: 2 + 2 is not 5" "passed, 1 failed") ;;
# The lab's kernel reaches the suite in about 2 s on the minimal topology
# (3 s with another guest beside it): 6 s leaves it twice that.
hang) limit=6; expect=("the guest timed out" "guest says: about to hang") ;;
panic) expect=("stopped before its suite finished" "Kernel panic") ;;
*) echo "harness_test: unknown case $case" >&2; exit 2 ;;
esac

start=$SECONDS
"$here/lab/run" --kernel custom --topology "$here/lab/topologies/minimal.topo" --suite "harness-$case" \
  --timeout "$limit" --build "$build" --out "$out" \
  >"$out.log" 2>&1
status=$?
elapsed=$((SECONDS - start))
cat "$out.log"
fail=0
[ "$status" = 1 ] || { echo "harness_test: lab/run exited $status, expected 1"; fail=1; }
for text in "${expect[@]}"; do
  grep -qF -- "$text" "$out.log" || { echo "harness_test: output lacks: $text"; fail=1; }
done
if [ "$case" = hang ] && [ "$elapsed" -gt $((limit + 90)) ]; then
  echo "harness_test: a ${limit}s timeout took ${elapsed}s"
  fail=1
fi
if pgrep -f "qemu-system-x86_64.*$out/" >/dev/null; then
  echo "harness_test: a QEMU of this run is still running"
  fail=1
fi
[ $fail = 0 ] && echo "harness_test: $case behaves as expected (${elapsed}s)"
exit $fail

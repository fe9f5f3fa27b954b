#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The lab's libraries, sourced below, read the LAB_* variables set here and
# call the stand-in functions defined here.
# shellcheck disable=SC2034,SC2317
# The lab's QEMU build (lab/lib/lab_qemu.sh) stops with one clear line that
# names the failing step: a patch of the series that no longer applies, a
# configure that fails (a missing build dependency), a build that fails; and
# a QEMU whose build failed is never cached. Runs on stand-ins for QEMU's
# source in a scratch directory: no download, no compiler.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0

# lab_qemu_build on SRC with the lab's series in LAB_ROOT; prints stderr.
build_in() {  # ROOT SRC
  (
    LAB_T0=$EPOCHREALTIME
    # shellcheck source=/dev/null
    . "$here/lab/lib/common.sh"
    # shellcheck source=/dev/null
    . "$here/lab/lib/lab_qemu.sh"
    LAB_ROOT=$1
    lab_qemu_build "$2" "$2/obj"
  ) 2>&1
}
expect() {  # NAME STATUS OUTPUT TEXT
  if [ "$2" != 2 ]; then echo "qemu_build_failures_test: $1: status $2, expected 2"; fail=1; fi
  if ! grep -qF -- "$4" <<<"$3"; then echo "qemu_build_failures_test: $1: output lacks: $4"; echo "$3"; fail=1; fi
  if [ "$(grep -c '^lab: error:' <<<"$3")" != 1 ]; then echo "qemu_build_failures_test: $1: not one error line"; fail=1; fi
}
source_tree() {  # DIR CONFIGURE-BODY
  mkdir -p "$1/debian/patches"
  : >"$1/debian/patches/series"
  echo "hello" >"$1/file.c"
  printf '#!/bin/sh\n%s\n' "$2" >"$1/configure"
  chmod +x "$1/configure"
}

# A patch of the lab's series that does not apply.
root=$scratch/root1
mkdir -p "$root/qemu"
echo "0001-stale.patch" >"$root/qemu/series"
printf -- '--- a/file.c\n+++ b/file.c\n@@ -1 +1 @@\n-goodbye\n+hello again\n' >"$root/qemu/0001-stale.patch"
source_tree "$scratch/src1" 'exit 0'
out=$(build_in "$root" "$scratch/src1"); status=$?
expect "stale patch" "$status" "$out" "lab: error: the lab's patch 0001-stale.patch does not apply"

# A missing build dependency: configure fails and its reason is shown.
root=$scratch/root2
mkdir -p "$root/qemu"
: >"$root/qemu/series"
source_tree "$scratch/src2" 'echo "ERROR: Dependency \"pixman-1\" not found"; exit 1'
out=$(build_in "$root" "$scratch/src2"); status=$?
expect "configure" "$status" "$out" "lab: error: QEMU's configure failed"
expect "configure reason" "$status" "$out" 'Dependency "pixman-1" not found'

# A failed build.
source_tree "$scratch/src3" 'printf "rule fail\n  command = echo compile error; false\nbuild qemu-system-x86_64: fail\n" >build.ninja'
out=$(build_in "$root" "$scratch/src3"); status=$?
expect "build" "$status" "$out" "lab: error: QEMU's build failed"

# A failed build leaves nothing in the cache that a later run would take.
cache=$scratch/cache
mkdir -p "$scratch/dl"
(cd "$scratch" && mkdir -p qemu-7.2 debian && echo x >qemu-7.2/x && tar -cJf dl/qemu_7.2.orig.tar.xz qemu-7.2 &&
  tar -cJf dl/qemu_7.2-1.debian.tar.xz debian && touch dl/qemu_7.2-1.dsc)
out=$(
  (
    LAB_T0=$EPOCHREALTIME
    # shellcheck source=/dev/null
    . "$here/lab/lib/common.sh"
    # shellcheck source=/dev/null
    . "$here/lab/lib/lab_qemu.sh"
    LAB_ROOT=$root LAB_CACHE=$cache
    lab_qemu_source() { echo "$scratch/dl/qemu_7.2-1.dsc"; }
    lab_qemu_build() { lab_die "QEMU's build failed"; }
    lab_qemu lab
  ) 2>&1
)
status=$?
expect "cache" "$status" "$out" "lab: error: QEMU's build failed"
if find "$cache/qemu" -name .complete -o -name qemu-system-x86_64 | grep -q .; then
  echo "qemu_build_failures_test: a failed build was cached:"; find "$cache/qemu"; fail=1
fi
[ "$fail" = 0 ] && echo "qemu_build_failures_test: every failure named its step; nothing half-built was cached"
exit "$fail"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The lab stages a binary once per build (lab/lib/initramfs.sh): the staged
# copy is the binary without its debug info, a second run links to the same
# copy, and a binary relinked into a new file is staged anew even when its
# size and time to the nanosecond are the old one's; the old copy goes;
# and with no cache directory named it stops, saying so. What ldd found for
# it is kept too and read by the next run, unless LD_LIBRARY_PATH is set.
# ICU's data, which libarchive brings, is staged as a small stand-in.
# Runs on /bin/true and /bin/false in a scratch directory: no kernel, no
# guest.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
say() { echo "stage_cache_test: $*"; fail=1; }

# shellcheck source=/dev/null
. "$here/lab/lib/common.sh"
# shellcheck source=/dev/null
. "$here/lab/lib/initramfs.sh"
# shellcheck disable=SC2034  # lab/lib/initramfs.sh reads it
LAB_STAGE_CACHE=$scratch/stage

stage() {  # ROOT: stages $scratch/prog into ROOT; prints what ROOT/lab/bin/prog names
  mkdir -p "$1/lab/bin" "$1/lab/lib"
  lab_copy_with_libs "$scratch/prog" "$1" || return 1
  readlink "$1/lab/bin/prog"
}

cp /bin/true "$scratch/prog"
first=$(stage "$scratch/r1") || say "staging failed"
strip --strip-debug -o "$scratch/expected" "$scratch/prog"
cmp -s "$first" "$scratch/expected" || say "the staged copy is not the binary without its debug info"
[ -L "$scratch/r1/lab/lib/libc.so.6" ] || say "libc is not staged beside the binary"

# The kept list is what the next run stages: a line added to it is staged;
# with LD_LIBRARY_PATH set, ldd runs again and the line is not.
lists=("$LAB_STAGE_CACHE"/libs/prog/*)
if [ ${#lists[@]} = 1 ] && grep -q '/libc\.so\.6$' "${lists[0]}"; then
  touch "$scratch/marker.so" && echo "$scratch/marker.so" >>"${lists[0]}"
else
  say "no one kept list of prog's libraries naming libc: ${lists[*]}"
fi
second=$(stage "$scratch/r2")
[ "$second" = "$first" ] || say "a second run staged the same binary again ($second, not $first)"
[ -L "$scratch/r2/lab/lib/marker.so" ] || say "a second run did not stage the kept list of libraries"
(LD_LIBRARY_PATH=$scratch/none stage "$scratch/r2b" >/dev/null) || say "staging with LD_LIBRARY_PATH set failed"
[ -e "$scratch/r2b/lab/lib/marker.so" ] && say "with LD_LIBRARY_PATH set the kept list was used"
[ -L "$scratch/r2b/lab/lib/libc.so.6" ] || say "with LD_LIBRARY_PATH set libc was not staged"

# A relink: a new file (new inode) with the old size and time.
[ "$(stat -c %s /bin/true)" = "$(stat -c %s /bin/false)" ] || say "/bin/true and /bin/false differ in size here"
cp /bin/false "$scratch/prog.new" && touch -r "$scratch/prog" "$scratch/prog.new" && mv "$scratch/prog.new" "$scratch/prog"
third=$(stage "$scratch/r3")
[ "$third" != "$first" ] || say "a relinked binary of the same size and time was not staged anew"
strip --strip-debug -o "$scratch/expected" "$scratch/prog"
cmp -s "$third" "$scratch/expected" || say "the new staged copy is not the new binary"
[ -e "$first" ] && say "the old staged copy was kept"

# Without a cache directory named, nothing is staged anywhere.
out=$( (unset LAB_STAGE_CACHE; mkdir -p "$scratch/r4/lab/bin"; lab_copy_with_libs "$scratch/prog" "$scratch/r4") 2>&1)
status=$?
[ "$status" = 2 ] || say "staging without LAB_STAGE_CACHE exited $status, expected 2"
grep -q "LAB_STAGE_CACHE is not set" <<<"$out" || say "staging without LAB_STAGE_CACHE did not say why: $out"
[ -e "$scratch/r4/lab/bin/prog" ] && say "staging without LAB_STAGE_CACHE staged the binary"

# ICU's data stands in small beside libarchive (ICU through libxml2), made
# once, and the host's loader takes it where the real one would go: a
# dlopen of libarchive with only the staged libraries to find loads.
for r in r5 r6; do
  mkdir -p "$scratch/$r/lab/lib"
  lab_copy_library_with_libs libarchive.so.13 "$scratch/$r"
  lab_icu_data_stand_in "$scratch/$r"
done
icu=$(find "$scratch/r5/lab/lib" -name 'libicudata.so.*' | head -n 1)
if [ -z "$icu" ]; then
  say "libarchive's libraries bring no libicudata here: the stand-in is not tested"
else
  stand_in=$(readlink "$icu")
  [ "$(readlink "$scratch/r6/lab/lib/${icu##*/}")" = "$stand_in" ] || say "a second run made the ICU stand-in again"
  size=$(stat -L -c %s "$icu")
  [ "$size" -lt 65536 ] || say "the ICU stand-in is $size bytes"
  nm -D --defined-only "$icu" | grep -q ' icudt[0-9]*_dat$' || say "the ICU stand-in does not define icudt*_dat"
  # ld.so's own search, from the staged libraries alone (through their links).
  if LD_LIBRARY_PATH=$scratch/r5/lab/lib LD_DEBUG=libs python3 -c 'import ctypes; ctypes.CDLL("libarchive.so.13")' \
    2>"$scratch/dl.err"; then
    grep -q "calling init: $scratch/r5/lab/lib/libicudata" "$scratch/dl.err" ||
      say "the loader did not take the stand-in from the staged libraries"
  else
    say "libarchive does not load with the ICU stand-in: $(grep -v '^ *[0-9]*:' "$scratch/dl.err" | tail -n 3)"
  fi
fi

[ $fail = 0 ] && echo "stage_cache_test: staged once with its libraries' list, again after a relink, the old copy gone; none without a cache; ICU's data stands in"
exit $fail

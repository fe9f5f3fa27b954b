#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The man pages vfiokit ships (docs/man/) format without a warning under
# groff's man macros, and vfiokit-profile(5) names every key the profile
# parser knows (its "known: ..." lists in src/vfiokit/host/profile/).
#   man_pages_test.sh
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
pages=("$here"/docs/man/*.[1-8])
for page in "${pages[@]}"; do
  if ! out=$(groff -t -man -ww -z "$page" 2>&1) || [ -n "$out" ]; then
    echo "man_pages_test: groff warns on ${page#"$here"/}:"; echo "$out"; fail=1
  fi
done
profile_page=$here/docs/man/vfiokit-profile.5
# The lists are string literals the source may split over lines: joined first.
keys=$(tr '\n' ' ' <"$here"/src/vfiokit/host/profile/profile.cpp | sed 's/"[[:space:]]*"//g' |
  grep -o 'known: [a-z0-9_., ]*' | sed 's/known: //; s/\.\.[a-z0-9]*//g; s/,/ /g' | xargs)
[ -n "$keys" ] || { echo "man_pages_test: found no key list in profile.cpp"; fail=1; }
for key in $keys name force; do
  grep -Eq "^\.B[IR]? \"?$key\b" "$profile_page" ||
    { echo "man_pages_test: vfiokit-profile(5) does not describe '$key'"; fail=1; }
done
[ "$fail" = 0 ] && echo "man_pages_test: ${#pages[@]} page(s) format cleanly; vfiokit-profile(5) names every key: $keys"
exit "$fail"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/check-layers must catch what the design forbids: an upward
# include (pci including host), a sideways one (host/devices including
# host/binding), and a public header including an internal one. Each is
# planted in a copy of src/ and must fail the check, naming the file.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
expect_caught() {  # NAME FILE LINE-TO-ADD MESSAGE
  rm -rf "$work/src" && cp -r "$here/src" "$work/src"
  mkdir -p "$(dirname "$work/src/vfiokit/$2")"
  printf '%s\n' "$3" >>"$work/src/vfiokit/$2"
  if "$here/scripts/check-layers" --quiet --root "$work/src" 2>"$work/err"; then
    echo "not caught: $1"; failures=$((failures + 1))
  elif ! grep -q "$2.*$4" "$work/err"; then
    echo "caught without naming it: $1"; cat "$work/err"; failures=$((failures + 1))
  else
    echo "caught: $1: $(head -1 "$work/err")"
  fi
}
"$here/scripts/check-layers" --quiet --root "$here/src"
expect_caught "an upward include" pci/bdf.cpp '#include "vfiokit/host/sysfs/root.hpp"' "above or beside"
expect_caught "a sideways include" host/devices/in_use.cpp '#include "vfiokit/host/binding/plan.hpp"' "above or beside"
expect_caught "the library including the CLI" vfio/device.cpp '#include "vfiokit/cli/render/output.hpp"' "above or beside"
expect_caught "a public header including an internal one" vfio/device.hpp \
  '#include "vfiokit/vfio/internal/uapi.hpp"' "public header includes the internal"
expect_caught "a folder the design does not know" host/extra/x.hpp '#include "vfiokit/base/error.hpp"' "not in the design"
echo "$((5 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

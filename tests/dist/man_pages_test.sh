#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The man pages vfiokit ships: the commands' pages the build writes from
# the command model (BUILD/man/man1) and the hand-written ones (docs/man/).
# Every page renders without a warning (`man --warnings`, groff's too);
# every command has its page, and every option `vfiokit COMMAND [SUB]
# --help` prints appears in it; vfiokit-profile(5) describes every key the
# profile parser knows (its "known: ..." lists in src/vfiokit/host/profile/),
# and vfiokit-json(7) names every schema in docs/schemas/.
#   man_pages_test.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
vfiokit=$build/vfiokit
fail=0
pages=("$build"/man/man1/*.1 "$here"/docs/man/*.[1-8])
for page in "${pages[@]}"; do
  out=$(man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  out+=$(groff -t -man -ww -z "$page" 2>&1)
  if [ -n "$out" ]; then echo "man_pages_test: ${page#"$build"/} renders with warnings:"; echo "$out"; fail=1; fi
done

# The commands `vfiokit --help` lists, each with its page and options.
subcommands() { "$@" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }'; }
commands=$(subcommands "$vfiokit" | grep -vx help)
checked=0
for cmd in $commands; do
  page=$build/man/man1/vfiokit-$cmd.1
  if [ ! -e "$page" ]; then echo "man_pages_test: no page for vfiokit $cmd"; fail=1; continue; fi
  for line in "$cmd" $(subcommands "$vfiokit" "$cmd" | sed "s/^/$cmd:/"); do
    read -ra words <<<"${line//:/ }"
    for opt in $("$vfiokit" "${words[@]}" --help | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]//' | sort -u); do
      [ "$opt" = --help ] && continue
      checked=$((checked + 1))
      grep -qF -- "${opt//-/\\-}" "$page" || { echo "man_pages_test: vfiokit-$cmd(1) lacks ${words[*]} $opt"; fail=1; }
    done
  done
done
[ "$checked" -gt 50 ] || { echo "man_pages_test: only $checked options found in --help"; fail=1; }

profile_page=$here/docs/man/vfiokit-profile.5
# The lists are string literals the source may split over lines: joined first.
keys=$(tr '\n' ' ' <"$here"/src/vfiokit/host/profile/profile.cpp | sed 's/"[[:space:]]*"//g' |
  grep -o 'known: [a-z0-9_., ]*' | sed 's/known: //; s/\.\.[a-z0-9]*//g; s/,/ /g' | xargs)
[ -n "$keys" ] || { echo "man_pages_test: found no key list in profile.cpp"; fail=1; }
for key in $keys name force; do
  grep -Eq "^\.B[IR]? \"?$key\b" "$profile_page" ||
    { echo "man_pages_test: vfiokit-profile(5) does not describe '$key'"; fail=1; }
done
for schema in "$here"/docs/schemas/*.schema.json; do
  name=$(basename "$schema")
  grep -qF "${name//-/\\-}" "$here/docs/man/vfiokit-json.7" ||
    { echo "man_pages_test: vfiokit-json(7) does not name $name"; fail=1; }
done
# vfiokit-device-plugin(8): every option of its --help, and every key of
# its configuration (the "known: ..." list of its parser).
plugin=$build/vfiokit-device-plugin
if [ ! -x "$plugin" ]; then
  echo "man_pages_test: $plugin is not built"; fail=1
else
  for opt in $("$plugin" --help | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]//' | sort -u); do
    [ "$opt" = --help ] && continue
    grep -qF -- "${opt//-/\\-}" "$here/docs/man/vfiokit-device-plugin.8" ||
      { echo "man_pages_test: vfiokit-device-plugin(8) lacks $opt"; fail=1; }
  done
  plugin_keys=$(grep -o 'known: [a-z, -]*' "$here/src/vfiokit/deviceplugin/config/plugin_config.cpp" | sed 's/known: //; s/,/ /g')
  [ -n "$plugin_keys" ] || { echo "man_pages_test: found no key list in plugin_config.cpp"; fail=1; }
  for key in $plugin_keys; do
    grep -Eq "^\.B ${key//-/\\\\-}\$" "$here/docs/man/vfiokit-device-plugin.8" ||
      { echo "man_pages_test: vfiokit-device-plugin(8) does not describe '$key'"; fail=1; }
  done
fi
[ "$fail" = 0 ] && echo "man_pages_test: ${#pages[@]} pages render cleanly; $(echo "$commands" | wc -w) commands" \
  "have pages naming all $checked options of their --help; vfiokit-profile(5) names every key: $keys"
exit "$fail"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Shell completion (dist/completion/) driven as each shell drives it: bash
# through COMP_LINE/COMP_POINT/COMP_WORDS and the completion function, fish
# through `complete -C`, zsh through its completion function with compadd
# recorded. Live values come from this machine's /sys and from a lab
# fixture ($VFIOKIT_SYSFS_ROOT) with an mdev parent added.
#   completion_test.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
export PATH=$build:$PATH
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
tar -xzf "$here/data/fixtures/lab-profile-debian-6.12.tar.gz" -C "$scratch"
types=$scratch/sys/class/mdev_bus/mtty/mdev_supported_types
for t in mtty-1 mtty-2; do
  mkdir -p "$types/$t/devices"
  echo vfio-pci >"$types/$t/device_api"
  echo 2 >"$types/$t/available_instances"
done
fixture=$scratch/sys

# shellcheck source=dist/completion/vfiokit.bash
source "$here/dist/completion/vfiokit.bash"
bash_complete() {  # LINE: COMPREPLY for LINE as bash would complete it, one a line
  COMP_LINE=$1
  COMP_POINT=${#1}
  # bash's own split, at blanks and at COMP_WORDBREAKS such as ':'.
  read -ra COMP_WORDS <<<"${1//:/ : }"
  [[ $1 == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _vfiokit
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() {  # WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "completion_test: ok: $1"; else
    echo "completion_test: $1: got [$(echo "$2" | tr '\n' ' ')], want [$(echo "$3" | tr '\n' ' ')]"
    fail=1
  fi
}

expect "bash: a command" "$(bash_complete 'vfiokit bi')" "bind"
expect "bash: an option" "$(bash_complete 'vfiokit bind --dry')" "--dry-run"
# The functions that exist on this machine, typed without their domain:
# bash completes the part after the last ':'.
want=$(cd /sys/bus/pci/devices && for d in 0000:00:0*; do [ -e "$d" ] && echo "${d#0000:00:}"; done | sort)
expect "bash: bind 00:0<TAB> offers this machine's functions" "$(bash_complete 'vfiokit bind 00:0')" "$want"
export VFIOKIT_SYSFS_ROOT=$fixture
# After "0000:" bash replaces only "02": the candidates are what follows the colon.
expect "bash: BDFs of the host \$VFIOKIT_SYSFS_ROOT names" "$(bash_complete 'vfiokit show 0000:02')" \
  "$(printf '02:00.0\n02:00.1')"
expect "bash: IOMMU groups" "$(bash_complete 'vfiokit bind --group ')" \
  "$(find "$fixture/kernel/iommu_groups" -mindepth 1 -maxdepth 1 -printf "%f\n" | sort)"
expect "bash: the named function's resizable BARs" "$(bash_complete 'vfiokit rebar 0000:02:00.0 --bar ')" \
  "$(printf '2\n4')"
expect "bash: mdev types" "$(bash_complete 'vfiokit mdev create mtty-')" "$(printf 'mtty-1\nmtty-2')"
expect "bash: BDFs of the tree --sysfs-root names" \
  "$(VFIOKIT_SYSFS_ROOT='' bash_complete "vfiokit show --sysfs-root $fixture 0000:02:00.")" "$(printf '00.0\n00.1')"
expect "bash: the built-in example host" "$(VFIOKIT_SYSFS_ROOT='' bash_complete 'vfiokit explain --example 0000:0c')" \
  "0c:00.0"
mkdir -p "$scratch/dumps" && touch "$scratch/dumps/gpu.lspci"
expect "bash: files where a file goes" "$(cd "$scratch/dumps" && bash_complete 'vfiokit decode gp')" "gpu.lspci"

if command -v fish >/dev/null; then
  got=$(fish --no-config -c "source '$here/dist/completion/vfiokit.fish'; complete -C'vfiokit bind 0000:02:00.'" | cut -f1 | sort)
  expect "fish: bind 0000:02:00.<TAB>" "$got" "$(printf '0000:02:00.0\n0000:02:00.1')"
else
  echo "completion_test: fish is not installed (scripts/install-deps installs it)"; fail=1
fi
if command -v zsh >/dev/null; then
  got=$(zsh -f -c "compdef() { :; }; compadd() { [[ \$1 == -Q ]] && shift; [[ \$1 == -- ]] && shift; print -rl -- \"\$@\"; }
    source '$here/dist/completion/_vfiokit'; words=(vfiokit rebar 0000:02:00.0 --bar ''); CURRENT=5; _vfiokit" | sort)
  expect "zsh: rebar BDF --bar <TAB>" "$got" "$(printf '2\n4')"
else
  echo "completion_test: zsh is not installed (scripts/install-deps installs it)"; fail=1
fi
[ "$fail" = 0 ] && echo "completion_test: bash, fish and zsh complete from vfiokit's command model and the live host"
exit "$fail"

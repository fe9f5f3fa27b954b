# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the lab's host side (sourced by lab/run).

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT_ROOT=$(cd "$LAB_ROOT/.." && pwd)
# Kernels, the kernel build and downloaded packages are cached here.
LAB_CACHE=${VFIOKIT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfiokit-lab}

LAB_T0=${EPOCHREALTIME}

lab_log() {
  awk -v a="$LAB_T0" -v b="$EPOCHREALTIME" -v m="$*" 'BEGIN { printf "lab [%6.1fs] %s\n", b - a, m }' >&2
}

lab_die() {
  echo "lab: error: $*" >&2
  exit 2
}

# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Turns a topology file into QEMU arguments (format: lab/topologies/default.topo
# and docs/lab.md). Sets the array QEMU_TOPOLOGY and MEMORY/SMP.

lab_topology() {  # FILE RUNDIR
  local file=$1 rundir=$2 keyword rest lineno=0 id size
  [ -r "$file" ] || lab_die "topology file $file cannot be read"
  # shellcheck disable=SC2054  # QEMU's options take comma-separated values
  QEMU_TOPOLOGY=(-device intel-iommu,intremap=on)
  MEMORY=1G
  SMP=2
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    line=${line%%#*}
    read -r keyword rest <<<"$line" || true
    [ -n "${keyword:-}" ] || continue
    case $keyword in
    device)
      [ -n "$rest" ] || lab_die "$file:$lineno: 'device' needs QEMU device arguments"
      # QEMU 7.2 root ports default to 16 GT/s; Linux then waits for a link
      # that never comes after a secondary bus reset, so resets fail. 5 GT/s works.
      case $rest in pcie-root-port,* | pcie-root-port) [[ $rest == *x-speed=* ]] || rest="$rest,x-speed=5" ;; esac
      QEMU_TOPOLOGY+=(-device "$rest") ;;
    disk)
      read -r id size <<<"$rest"
      [[ ${id:-} =~ ^[A-Za-z][A-Za-z0-9_-]*$ ]] || lab_die "$file:$lineno: 'disk' needs an ID"
      [[ ${size:-} =~ ^[0-9]+[KMG]?$ ]] || lab_die "$file:$lineno: 'disk $id' needs a size like 16M"
      truncate -s "$size" "$rundir/$id.img"
      QEMU_TOPOLOGY+=(-drive "file=$rundir/$id.img,if=none,id=$id,format=raw") ;;
    memory)
      [[ $rest =~ ^[0-9]+[MG]$ ]] || lab_die "$file:$lineno: 'memory' needs a size like 1G"
      MEMORY=$rest ;;
    smp)
      [[ $rest =~ ^[1-8]$ ]] || lab_die "$file:$lineno: 'smp' needs 1 to 8"
      SMP=$rest ;;
    *) lab_die "$file:$lineno: unknown keyword '$keyword' (device, disk, memory, smp)" ;;
    esac
  done <"$file"
  [ ${#QEMU_TOPOLOGY[@]} -gt 2 ] || lab_die "$file: no devices"
}

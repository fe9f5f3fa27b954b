# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Builds the guest's initramfs: busybox, the kernel modules the suites load,
# lspci and pci.ids, the vfiokit CLI and the guest test binaries with the
# shared libraries they need, the guest init and the suites; with the lab's
# own QEMU (LAB_GUEST_QEMU), that QEMU too, for suites that start a VMM in
# the guest.

LAB_GUEST_MODULES="vfio-pci vfio_iommu_type1 iommufd e1000e e1000 nvme virtio_net pci-stub"

# LAB_GUEST_LAZY_LIBRARIES (set by lab/run): libraries vfiokit opens only
# when a command first needs them (base/lazy_library.hpp), which ldd of its
# binaries does not show: the guest writes snapshots (libarchive) and may
# run the libvirt hook (libxml2).

# The initramfs is staged as a tree of symbolic links to the files it
# holds, and cpio -L stores what each points to: nothing is copied twice
# (every lab run of a build stages the same libraries and binaries, 20-80 MB
# each). What takes work to make (a binary without its debug info, the
# kernel's modules decompressed with their depmod, the libraries ldd finds
# for a binary) is made once per input and kept in LAB_STAGE_CACHE, keyed
# by the input's path, size, time (to the nanosecond) and inode: a
# relinked binary is a new one.
# Staging took 1.2 s for the smallest initramfs and 2.9 s for the largest
# when every run copied, stripped and decompressed afresh.

lab_stage_key() {  # FILE...: a name for these inputs as they are now
  stat -L -c '%n %s %.9Y %i' "$@" | sha1sum | cut -c1-16
}

# The cache is the caller's to name (lab/run: the build directory's
# lab/stage); unset, the paths below would start at the root directory.
lab_stage_cache_set() {
  [ -n "${LAB_STAGE_CACHE:-}" ] || lab_die "LAB_STAGE_CACHE is not set: the stage cache needs a directory"
}

# KEPT MAKE...: unless KEPT is in the cache, runs MAKE... TMP, which writes
# TMP, and renames TMP to KEPT; other copies beside it (older inputs' keys)
# go. Two lab runs may make the same one at once: each writes its own file
# and renames it into place.
lab_stage_make() {
  local kept=$1 tmp
  shift
  [ -e "$kept" ] && return 0
  mkdir -p "${kept%/*}"
  tmp=$(mktemp "$kept.XXXXXX")
  "$@" "$tmp" || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$kept"
  find "${kept%/*}" -maxdepth 1 -type f -name '????????????????' ! -name "${kept##*/}" -delete
}

lab_link_into() {  # FILE DEST: DEST (a path in the staging tree) stands for FILE
  [ -e "$2" ] || ln -s "$1" "$2"
}

# The shared libraries ldd finds for FILE, a path a line, as OUT.
lab_ldd_into() {  # FILE OUT
  ldd "$1" >"$2.ldd" || { rm -f "$2.ldd"; return 1; }
  grep -oE '/[^ ]+\.so[^ ]*' "$2.ldd" >"$2"
  rm -f "$2.ldd"
}

# ldd loads every library a binary needs (some sixty for the device
# plugin), 40-50 ms a binary and 0.4 s of the largest run's staging, so
# what it found is kept, keyed by the file and the loader's cache (which
# ldconfig rewrites when libraries come or go). LD_LIBRARY_PATH would change
# the answer: with it set, ldd runs every time.
LAB_LOADER_CACHE=/etc/ld.so.cache
[ -e "$LAB_LOADER_CACHE" ] || LAB_LOADER_CACHE=""
lab_file_key() {  # FILE: lab_stage_key of FILE and the loader's cache
  lab_stage_key "$1" ${LAB_LOADER_CACHE:+"$LAB_LOADER_CACHE"}
}
lab_copy_libs_of() {  # FILE ROOT [KEY]: the shared libraries FILE needs into ROOT/lab/lib
  local lib kept libs new=()
  if [ -n "${LD_LIBRARY_PATH:-}" ]; then
    kept=$(mktemp)
    lab_ldd_into "$1" "$kept" || lab_die "ldd failed on $1"
    mapfile -t libs <"$kept"
    rm -f "$kept"
  else
    kept=$LAB_STAGE_CACHE/libs/${1##*/}/${3:-$(lab_file_key "$1")}
    lab_stage_make "$kept" lab_ldd_into "$1" || lab_die "ldd failed on $1"
    mapfile -t libs <"$kept"
  fi
  for lib in "${libs[@]}"; do
    case $lib in
    */ld-linux*) mkdir -p "$2${lib%/*}" && lab_link_into "$lib" "$2$lib" ;;
    *) [ -e "$2/lab/lib/${lib##*/}" ] || new+=("$lib") ;;
    esac
  done
  # One ln for them all: the device plugin alone needs some sixty.
  [ ${#new[@]} = 0 ] || ln -s -t "$2/lab/lib" "${new[@]}"
}

lab_strip_into() {  # BINARY OUT: BINARY without its debug info, as OUT
  strip --strip-debug -o "$2" "$1" && chmod 0755 "$2"
}

lab_copy_with_libs() {  # BINARY ROOT: the binary into ROOT/lab/bin, its libraries into ROOT/lab/lib
  local bin=$1 root=$2 key kept
  [ -x "$bin" ] || lab_die "$bin is not built (cmake --build build)"
  lab_stage_cache_set
  # Without debug info: the guest needs no line tables (symbols stay for
  # backtraces), and the unpacked initramfs must fit a small guest's memory.
  # One key for the binary and its libraries.
  key=$(lab_file_key "$bin")
  kept=$LAB_STAGE_CACHE/bin/${bin##*/}/$key
  lab_stage_make "$kept" lab_strip_into "$bin" || lab_die "strip --strip-debug failed on $bin"
  lab_link_into "$kept" "$root/lab/bin/${bin##*/}"
  lab_copy_libs_of "$bin" "$root" "$key"
}

lab_copy_library_with_libs() {  # SONAME ROOT: an installed library and its libraries into ROOT/lab/lib
  local path
  # awk reads to the end: leaving early would end ldconfig with SIGPIPE,
  # which pipefail turns into a failed build.
  path=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ && p == "" { p = $NF } END { print p }')
  [ -n "$path" ] || lab_die "$1 is not installed (ldconfig -p does not list it)"
  lab_link_into "$path" "$2/lab/lib/$1"
  lab_copy_libs_of "$path" "$2"
}

# ICU's data library (libicudata, 31 MB) comes with libarchive, through
# libxml2 (for XAR archives, which vfiokit never writes), and no guest reads
# it: ICU opens its data only to convert a character set or to collate, and
# no guest parses XML unless its suite says so ("# lab-needs: libxml2",
# lab/run), which keeps the real one. Any other run gets, under the same
# name, a library that holds only the symbol ICU's code links against, made
# once per ICU: every boot that writes a snapshot unpacks 31 MB less, some
# 0.5-0.8 s of it under TCG. Were ICU asked for its data after all, it would
# find no valid header there and return an error, not read garbage.
lab_icu_data_stand_in() {  # ROOT: replaces ROOT/lab/lib/libicudata.so.* when staged
  local link real sym kept
  lab_stage_cache_set
  for link in "$1"/lab/lib/libicudata.so.*; do
    [ -L "$link" ] || continue
    real=$(readlink -f "$link")
    kept=$LAB_STAGE_CACHE/icudata/${link##*/}/$(lab_stage_key "$real")
    lab_stage_make "$kept" lab_icu_data_symbol_library "$real" "${link##*/}" ||
      lab_die "could not build the stand-in for ${link##*/}"
    ln -sfn "$kept" "$link"
  done
}

# The stand-in for REAL: a shared library defining only the data symbol
# REAL defines, which must be ICU's (icudtNN_dat) and the only one.
lab_icu_data_symbol_library() {  # REAL SONAME OUT
  local sym
  sym=$(nm -D --defined-only "$1" | awk '$3 ~ /^icudt[0-9]+_dat$/ { print $3 }')
  if ! [[ $sym =~ ^icudt[0-9]+_dat$ ]]; then
    echo "lab: $1 defines no icudt*_dat (or several): not an ICU data library the lab knows" >&2
    return 1
  fi
  printf 'const unsigned char %s[16];\n' "$sym" | cc -shared -fPIC -x c -o "$3" -Wl,-soname,"$2" -
}

# The modules LAB_GUEST_MODULES need, with their dependencies, decompressed
# (busybox modprobe reads plain .ko) under DIR/lib/modules/$KVER with
# depmod's index.
lab_guest_modules() {  # DIR
  local dir=$1 ko rel dst m
  mkdir -p "$dir/lib/modules/$KVER"
  for m in $LAB_GUEST_MODULES; do
    modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }' || true
  done | sort -u | while read -r ko; do
    rel=${ko#"$KROOT"/lib/modules/"$KVER"/}
    dst=$dir/lib/modules/$KVER/${rel%.xz}
    dst=${dst%.zst}
    mkdir -p "$(dirname "$dst")"
    case $ko in
    *.xz) xz -dc "$ko" >"$dst" ;;
    *.zst) zstd -qdc "$ko" >"$dst" ;;
    *) cp "$ko" "$dst" ;;
    esac
  done
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -e "$KROOT/lib/modules/$KVER/$f" ] && cp "$KROOT/lib/modules/$KVER/$f" "$dir/lib/modules/$KVER/"
  done
  depmod -b "$dir" "$KVER"
}

lab_initramfs() {  # OUT.cpio
  local out=$1 ir modules tmp
  lab_stage_cache_set
  mkdir -p "$LAB_STAGE_CACHE"
  ir=$(mktemp -d "${TMPDIR:-/tmp}/vfiokit-initramfs.XXXXXX")
  mkdir -p "$ir"/{bin,sbin,dev,proc,sys,tmp,run,etc,usr/share/misc,lab/bin,lab/lib,lab/guest,lab/suites,lib/modules}
  ldd /bin/busybox >/dev/null 2>&1 && lab_die "/bin/busybox is dynamically linked: install busybox-static"
  lab_link_into /bin/busybox "$ir/bin/busybox"
  install -m 0755 "$LAB_ROOT/guest/init" "$ir/init"
  cp "$LAB_ROOT/guest/lib.sh" "$ir/lab/guest/"
  cp "$LAB_ROOT"/suites/*.sh "$ir/lab/suites/"
  lab_link_into /usr/share/misc/pci.ids "$ir/usr/share/misc/pci.ids"

  modules=$LAB_STAGE_CACHE/modules-$KVER-$( (echo "$KROOT $LAB_GUEST_MODULES"; lab_stage_key "$KROOT/lib/modules/$KVER/modules.dep") | sha1sum | cut -c1-16)
  if [ ! -d "$modules" ]; then
    tmp=$(mktemp -d "$modules.XXXXXX")
    lab_guest_modules "$tmp"
    mv -T "$tmp" "$modules" 2>/dev/null || rm -rf "$tmp"  # another run made it first
  fi
  cp -as "$modules/lib/modules/$KVER" "$ir/lib/modules/"

  lab_copy_with_libs /usr/bin/lspci "$ir"
  for bin in "${LAB_GUEST_BINARIES[@]}"; do lab_copy_with_libs "$bin" "$ir"; done
  for m in $LAB_GUEST_LAZY_LIBRARIES; do lab_copy_library_with_libs "$m" "$ir"; done
  [[ " $LAB_GUEST_LAZY_LIBRARIES " == *" libxml2.so.2 "* ]] || lab_icu_data_stand_in "$ir"
  if [ -n "${LAB_GUEST_QEMU:-}" ]; then
    lab_copy_with_libs "$LAB_GUEST_QEMU" "$ir"
    mkdir -p "$ir/lab/share/qemu"
    # qboot as its firmware, and the option ROM every x86 machine loads.
    lab_link_into /usr/share/qemu/qboot.rom "$ir/lab/share/qemu/qboot.rom"
    lab_link_into /usr/share/qemu/kvmvapic.bin "$ir/lab/share/qemu/kvmvapic.bin"
  fi
  # Not compressed: the guest would inflate it under TCG, about a second
  # of every boot. -L: the files the links name, not the links. In blocks
  # of 128 KB: cpio reads and writes 512 bytes at a time by default, 0.64 s
  # for the largest initramfs against 0.35 s (the kernel skips the zeros
  # that pad the last block).
  (cd "$ir" && find . | cpio -o -L -H newc -R 0:0 --block-size=256 --quiet >"$out")
  rm -rf "$ir"
}

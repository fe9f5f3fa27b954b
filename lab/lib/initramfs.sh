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

lab_copy_libs_of() {  # FILE ROOT: the shared libraries FILE needs into ROOT/lab/lib
  local lib
  for lib in $(ldd "$1" | grep -oE '/[^ ]+\.so[^ ]*'); do
    case $lib in
    */ld-linux*) mkdir -p "$2$(dirname "$lib")" && cp -L "$lib" "$2$lib" ;;
    *) cp -Ln "$lib" "$2/lab/lib/" ;;
    esac
  done
}

lab_copy_with_libs() {  # BINARY ROOT: the binary into ROOT/lab/bin, its libraries into ROOT/lab/lib
  local bin=$1 root=$2
  [ -x "$bin" ] || lab_die "$bin is not built (cmake --build build)"
  # Without debug info: the guest needs no line tables (symbols stay for
  # backtraces), and the unpacked initramfs must fit a small guest's memory.
  strip --strip-debug -o "$root/lab/bin/$(basename "$bin")" "$bin" || lab_die "strip --strip-debug failed on $bin"
  lab_copy_libs_of "$bin" "$root"
}

lab_copy_library_with_libs() {  # SONAME ROOT: an installed library and its libraries into ROOT/lab/lib
  local path
  # awk reads to the end: leaving early would end ldconfig with SIGPIPE,
  # which pipefail turns into a failed build.
  path=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ && p == "" { p = $NF } END { print p }')
  [ -n "$path" ] || lab_die "$1 is not installed (ldconfig -p does not list it)"
  cp -Ln "$path" "$2/lab/lib/$1"
  lab_copy_libs_of "$path" "$2"
}

lab_initramfs() {  # OUT.cpio
  local out=$1 ir ko rel dst m
  ir=$(mktemp -d "${TMPDIR:-/tmp}/vfiokit-initramfs.XXXXXX")
  mkdir -p "$ir"/{bin,sbin,dev,proc,sys,tmp,run,etc,usr/share/misc,lab/bin,lab/lib,lab/guest,lab/suites,lib/modules/"$KVER"}
  ldd /bin/busybox >/dev/null 2>&1 && lab_die "/bin/busybox is dynamically linked: install busybox-static"
  cp /bin/busybox "$ir/bin/busybox"
  install -m 0755 "$LAB_ROOT/guest/init" "$ir/init"
  cp "$LAB_ROOT/guest/lib.sh" "$ir/lab/guest/"
  cp "$LAB_ROOT"/suites/*.sh "$ir/lab/suites/"
  cp /usr/share/misc/pci.ids "$ir/usr/share/misc/"

  # Modules and their dependencies, decompressed (busybox modprobe reads plain .ko).
  for m in $LAB_GUEST_MODULES; do
    modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }' || true
  done | sort -u | while read -r ko; do
    rel=${ko#"$KROOT"/lib/modules/"$KVER"/}
    dst=$ir/lib/modules/$KVER/${rel%.xz}
    dst=${dst%.zst}
    mkdir -p "$(dirname "$dst")"
    case $ko in
    *.xz) xz -dc "$ko" >"$dst" ;;
    *.zst) zstd -qdc "$ko" >"$dst" ;;
    *) cp "$ko" "$dst" ;;
    esac
  done
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -e "$KROOT/lib/modules/$KVER/$f" ] && cp "$KROOT/lib/modules/$KVER/$f" "$ir/lib/modules/$KVER/"
  done
  depmod -b "$ir" "$KVER"

  lab_copy_with_libs /usr/bin/lspci "$ir"
  for bin in "${LAB_GUEST_BINARIES[@]}"; do lab_copy_with_libs "$bin" "$ir"; done
  for m in $LAB_GUEST_LAZY_LIBRARIES; do lab_copy_library_with_libs "$m" "$ir"; done
  if [ -n "${LAB_GUEST_QEMU:-}" ]; then
    lab_copy_with_libs "$LAB_GUEST_QEMU" "$ir"
    mkdir -p "$ir/lab/share/qemu"
    # qboot as its firmware, and the option ROM every x86 machine loads.
    cp /usr/share/qemu/qboot.rom /usr/share/qemu/kvmvapic.bin "$ir/lab/share/qemu/"
  fi
  # Not compressed: the guest would inflate it under TCG, about a second
  # of every boot.
  (cd "$ir" && find . | cpio -o -H newc -R 0:0 --quiet >"$out")
  rm -rf "$ir"
}

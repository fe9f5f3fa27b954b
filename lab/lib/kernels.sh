# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Lab kernels: Debian's stock 6.1 and 6.12 kernels (fetched with apt-get
# download and unpacked, never installed) and a kernel built from Debian's
# linux-source-6.12 with lab/kernel/lab.config. `lab_kernel NAME` sets:
#   KVER     the kernel release
#   KIMAGE   the kernel to boot: vmlinux with a PVH entry, else the bzImage
#   KROOT    a directory holding lib/modules/$KVER

lab_apt_download() {  # PACKAGE DIR -> prints the .deb path
  local pkg=$1 dir=$2 deb
  mkdir -p "$dir"
  deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$deb" ]; then
    lab_log "downloading $pkg"
    (cd "$dir" && timeout 900 apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) || lab_die "apt-get download $pkg failed (run apt-get update?)"
    deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -1)
  fi
  echo "$deb"
}

# The newest stock package for a series; VFIOKIT_LAB_PKG_6_1 / _6_12 pin one.
# apt-cache takes over a second a query, so the answer is kept beside the
# kernels and asked again only when apt's package lists have changed.
lab_debian_package() {
  local series=$1 pinned lists answer stamp pkg
  pinned=VFIOKIT_LAB_PKG_${series//./_}
  if [ -n "${!pinned:-}" ]; then
    echo "${!pinned}"
    return
  fi
  answer=$LAB_CACHE/kernels/newest-$series
  lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -printf '%p %T@ %s\n' 2>/dev/null | sort | sha256sum | cut -c1-16)
  # The kept answer names a directory and a download: it is used only when
  # it has a kernel package's shape, like the query's own answer.
  if [ -r "$answer" ] && read -r stamp pkg <"$answer" && [ "$stamp" = "$lists" ] &&
    [[ $pkg =~ ^linux-image-[0-9][0-9a-z.+-]*-amd64-unsigned$ ]]; then
    echo "$pkg"
    return
  fi
  pkg=$(lab_debian_package_query "$series")
  if [ -n "$pkg" ]; then
    mkdir -p "$LAB_CACHE/kernels"
    echo "$lists $pkg" >"$answer.tmp" && mv "$answer.tmp" "$answer"
  fi
  echo "$pkg"
}

lab_debian_package_query() {
  case $1 in
  6.1)  # what the linux-image-amd64 metapackage of bookworm depends on
    apt-cache depends linux-image-amd64 2>/dev/null |
      awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\.0-[0-9]+-amd64$/ { print $2 "-unsigned"; exit }' ;;
  6.12)
    apt-cache pkgnames linux-image-6.12. 2>/dev/null |
      grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' | sort -V | tail -1 ;;
  esac
}

# A cached kernel directory holds boot/vmlinuz-$KVER, boot/config-$KVER and
# lib/modules/$KVER, and for a kernel with a PVH entry boot/vmlinux-$KVER,
# which is booted instead (the lab's own kernel has only that one).
lab_use_kernel_dir() {
  KVER=$(ls "$1/lib/modules")
  KIMAGE=$1/boot/vmlinuz-$KVER
  [ -e "$1/boot/vmlinux-$KVER" ] && KIMAGE=$1/boot/vmlinux-$KVER
  KROOT=$1
}

# lab_extract_vmlinux VMLINUZ OUT: the ELF kernel a bzImage carries, found by
# the magic of its compressor (as the kernel's scripts/extract-vmlinux does).
# QEMU boots an ELF kernel with a PVH entry directly, skipping the
# decompressor: under TCG, unpacking Debian's xz image took 6 s of every 6.1
# boot and zstd about 3 s of every 6.12 boot.
lab_extract_vmlinux() {
  local in=$1 out=$2 magic tool pos
  for magic in '\xfd\x37\x7a\x58\x5a\x00:xz -dcq' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dcq'; do
    tool=${magic#*:}
    # shellcheck disable=SC2013  # one offset a word
    for pos in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$in" | cut -d: -f1); do
      tail -c +$((pos + 1)) "$in" | $tool >"$out.tmp" 2>/dev/null
      if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
        mv "$out.tmp" "$out"
        return 0
      fi
    done
  done
  rm -f "$out.tmp"
  return 1
}

lab_debian_kernel() {
  local series=$1 pkg deb dir
  pkg=$(lab_debian_package "$series")
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
    lab_log "no package lists for Debian $series kernels: apt-get update"
    apt-get update -q >&2 || true
    pkg=$(lab_debian_package "$series")
  fi
  [ -n "$pkg" ] || lab_die "no Debian $series kernel package found (apt-get update, or set VFIOKIT_LAB_PKG_${series//./_})"
  dir=$LAB_CACHE/kernels/$pkg
  if [ ! -e "$dir/.complete" ]; then
    deb=$(lab_apt_download "$pkg" "$LAB_CACHE/debs")
    lab_log "unpacking $(basename "$deb")"
    rm -rf "$dir" && mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    KVER=$(ls "$dir/lib/modules")
    depmod -b "$dir" "$KVER"
    touch "$dir/.complete"
  fi
  KVER=$(ls "$dir/lib/modules")
  if [ ! -e "$dir/boot/vmlinux-$KVER" ] && grep -qx 'CONFIG_PVH=y' "$dir/boot/config-$KVER"; then
    lab_extract_vmlinux "$dir/boot/vmlinuz-$KVER" "$dir/boot/vmlinux-$KVER" ||
      lab_log "no ELF kernel found in vmlinuz-$KVER: booting the compressed image"
  fi
  lab_use_kernel_dir "$dir"
}

# "HITS of COMPILES": how many of a build's compiles the compiler cache
# answered, from its stats log (one "# FILE" line per call, then its
# counters); "no ccache" without a log.
lab_compiles_from_ccache() {
  if [ ! -s "$1" ]; then
    echo "no ccache"
    return
  fi
  awk '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h++ } $1 == "cache_miss" { m++ }
       END { printf "%d of %d\n", h, h + m }' "$1"
}

lab_custom_kernel() {
  local frag=$LAB_ROOT/kernel/lab.config deb srcver hash dir src obj
  deb=$(lab_apt_download linux-source-6.12 "$LAB_CACHE/debs")
  srcver=$(dpkg-deb -f "$deb" Version)
  hash=$(sha256sum <"$frag" | cut -c1-12)
  dir=$LAB_CACHE/kernels/custom-$srcver-$hash
  if [ ! -e "$dir/.complete" ]; then
    src=$LAB_CACHE/src/linux-source-$srcver
    if [ ! -e "$src/Makefile" ]; then
      lab_log "unpacking linux-source-6.12 $srcver"
      rm -rf "$src.tmp" && mkdir -p "$src.tmp"
      dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-6.12.tar.*' |
        xz -dc -T0 | tar -x -C "$src.tmp" --strip-components=1
      mv "$src.tmp" "$src"
    fi
    obj=$LAB_CACHE/build/custom-$hash
    local t0=$EPOCHREALTIME cc=gcc
    # Through ccache when there is one (scripts/install-deps installs it):
    # a new fragment, or a cache emptied of its kernels, rebuilds only what
    # the change touches (110 s instead of 440 s on 2 cores). In depend mode
    # (CCACHE_DEPEND), where the compiler's own dependency file (kbuild's
    # -Wp,-MMD) names the headers: by default a miss preprocesses each
    # source once more, and a build from nothing took 626 s instead of 437.
    # The compiler cache logs each compile of this build (CCACHE_STATSLOG),
    # and the share it answered is kept with the build's time for
    # scripts/test's report.
    command -v ccache >/dev/null && cc="ccache gcc"
    rm -rf "$obj" && mkdir -p "$obj"
    lab_log "configuring the custom kernel (tinyconfig + $(basename "$frag"))"
    make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" tinyconfig >/dev/null
    "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null
    make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" olddefconfig >/dev/null
    # Every option the fragment asks for must survive olddefconfig.
    local line lost=0
    while IFS= read -r line; do
      case $line in CONFIG_*=*) ;; *) continue ;; esac
      grep -qxF "$line" "$obj/.config" || { echo "lab: option lost: $line" >&2; lost=1; }
    done <"$frag"
    [ $lost = 0 ] || lab_die "kernel fragment options did not survive olddefconfig"
    local jobs
    jobs=$(nproc)
    lab_log "building the custom kernel with -j$jobs (several minutes on 2 cores, less from a warm ccache; once per fragment)"
    # vmlinux, not bzImage: the lab boots the ELF kernel (PVH), so the
    # compressed image and its decompressor would be built for nothing.
    CCACHE_DEPEND=1 CCACHE_STATSLOG=$obj/ccache.log make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" -j"$jobs" vmlinux modules \
      >"$obj/build.log" 2>&1 || { tail -30 "$obj/build.log" >&2; lab_die "custom kernel build failed"; }
    KVER=$(make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" kernelrelease)
    rm -rf "$dir" && mkdir -p "$dir/boot"
    cp "$obj/vmlinux" "$dir/boot/vmlinux-$KVER"  # booted through its PVH entry
    cp "$obj/.config" "$dir/boot/config-$KVER"
    make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" INSTALL_MOD_PATH="$dir" modules_install >/dev/null
    lab_compiles_from_ccache "$obj/ccache.log" >"$dir/build-ccache"
    rm -rf "$obj"
    # Configure, build and install, for scripts/test's report.
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", b - a }' >"$dir/build-seconds"
    touch "$dir/.complete"
    lab_log "custom kernel $KVER ready, built in $(cat "$dir/build-seconds") s"
  fi
  lab_use_kernel_dir "$dir"
}

lab_kernel() {
  # Lab runs go in parallel (ctest -j): the first to need a kernel fetches
  # or builds it while the others wait on the cache's lock, released when
  # this returns or the run dies.
  local lock
  mkdir -p "$LAB_CACHE"
  exec {lock}>"$LAB_CACHE/.lock"
  flock "$lock"
  case $1 in
  debian-6.1) lab_debian_kernel 6.1 ;;
  debian-6.12) lab_debian_kernel 6.12 ;;
  custom) lab_custom_kernel ;;
  *) lab_die "unknown kernel '$1' (debian-6.1, debian-6.12, custom)" ;;
  esac
  exec {lock}>&-
}

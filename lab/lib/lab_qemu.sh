# shellcheck shell=bash disable=SC2034  # LAB_QEMU* are its callers'
# SPDX-License-Identifier: Apache-2.0
# The lab's own QEMU: Debian 12's `qemu` source package, with Debian's own
# patches (debian/patches/series, which make it the packaged 7.2.x) and the
# lab's series (lab/qemu/series: the Resizable BAR test device), configured
# for x86_64-softmmu alone and built once. It is cached under the lab cache
# by source version and the hash of the lab's series, like the custom
# kernel. `lab_qemu` sets LAB_QEMU (the binary) and LAB_QEMU_FIRMWARE (-L
# options: the DFSG source ships no firmware, Debian's packages do).

# The source comes through apt's own download, with a private
# configuration: a deb-src line for the archive the machine already uses
# (taken from apt's policy, so no host name is written here), its own
# lists and nothing else. The machine's sources stay untouched; apt checks
# the files against the signed Sources index.
lab_qemu_source() {  # DIR -> the .dsc's path
  local dir=$1 uri apt_dir
  mkdir -p "$dir/dl"
  # apt-cache policy takes over a second: asked only when downloading.
  if ! find "$dir/dl" -maxdepth 1 -name 'qemu_*.dsc' | grep -q .; then
    uri=$(apt-cache policy | awk '/ bookworm\/main / { print $2; exit }')
    [ -n "$uri" ] || lab_die "apt knows no Debian 12 (bookworm) main archive to fetch QEMU's source from"
    apt_dir=$dir/apt
    mkdir -p "$apt_dir/lists/partial"
    echo "deb-src $uri bookworm main" >"$apt_dir/sources.list"
    local -a opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
    lab_log "fetching Debian's qemu source package from $uri"
    timeout 600 apt-get "${opts[@]}" update >&2 || lab_die "apt-get update of the deb-src list failed"
    (cd "$dir/dl" && timeout 900 apt-get "${opts[@]}" source --download-only qemu >&2) ||
      lab_die "apt-get source --download-only qemu failed"
  fi
  find "$dir/dl" -maxdepth 1 -name 'qemu_*.dsc' | sort -V | tail -1
}

lab_qemu_build() {  # SRC OUT: patch, configure and build into OUT
  local src=$1 out=$2 p
  # Debian's series in order (quilt's format: one patch a line, -p1).
  while IFS= read -r p; do
    case $p in '' | '#'*) continue ;; esac
    patch -s -p1 -d "$src" <"$src/debian/patches/${p%% *}" || lab_die "Debian's patch $p does not apply"
  done <"$src/debian/patches/series"
  while IFS= read -r p; do
    case $p in '' | '#'*) continue ;; esac
    patch -s -p1 -d "$src" <"$LAB_ROOT/qemu/$p" || lab_die "the lab's patch $p does not apply"
  done <"$LAB_ROOT/qemu/series"
  mkdir -p "$out"
  lab_log "configuring QEMU (x86_64-softmmu only)"
  (cd "$out" && "$src/configure" --target-list=x86_64-softmmu --without-default-features --disable-docs \
    --enable-tcg --enable-fdt=system --disable-werror >"$out/configure.log" 2>&1) ||
    { tail -20 "$out/configure.log" >&2; lab_die "QEMU's configure failed"; }
  lab_log "building qemu-system-x86_64 with -j$(nproc) (a few minutes on 2 cores; once per series)"
  ninja -C "$out" -j"$(nproc)" qemu-system-x86_64 >"$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log" >&2; lab_die "QEMU's build failed"; }
}

# The hash of the lab's series (the list and every patch it names): its
# build's name in the cache.
lab_qemu_series_hash() {
  (cat "$LAB_ROOT/qemu/series"; sed 's/#.*//' "$LAB_ROOT/qemu/series" | xargs -r -I{} cat "$LAB_ROOT/qemu/{}") |
    sha256sum | cut -c1-12
}

lab_qemu() {  # lab|system
  LAB_QEMU_FIRMWARE=()
  if [ "$1" = system ]; then
    LAB_QEMU="qemu-system-x86_64"
    return
  fi
  local hash dsc version dir build t0 lock
  # One run builds it while parallel runs wait, as for the kernels.
  mkdir -p "$LAB_CACHE/qemu"
  exec {lock}>"$LAB_CACHE/qemu/.lock"
  flock "$lock"
  hash=$(lab_qemu_series_hash)
  mkdir -p "$LAB_CACHE/qemu"
  dsc=$(lab_qemu_source "$LAB_CACHE/qemu/source")
  version=$(basename "$dsc" .dsc)
  version=${version#qemu_}
  dir=$LAB_CACHE/qemu/$version-$hash
  if [ ! -e "$dir/.complete" ]; then
    t0=$EPOCHREALTIME
    build=$LAB_CACHE/build/qemu-$hash
    rm -rf "$build" && mkdir -p "$build/src"
    lab_log "unpacking qemu $version"
    tar -xJf "$(dirname "$dsc")"/qemu_"${version%%-*}".orig.tar.xz -C "$build/src" --strip-components=1 ||
      lab_die "unpacking QEMU's source (qemu_${version%%-*}.orig.tar.xz) failed"
    tar -xJf "$(dirname "$dsc")/qemu_$version.debian.tar.xz" -C "$build/src" ||
      lab_die "unpacking Debian's changes to QEMU (qemu_$version.debian.tar.xz) failed"
    lab_qemu_build "$build/src" "$build/obj"
    rm -rf "$dir" && mkdir -p "$dir/bin"
    cp "$build/obj/qemu-system-x86_64" "$dir/bin/" || lab_die "caching the built QEMU in $dir failed"
    rm -rf "$build"
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", b - a }' >"$dir/build-seconds"
    touch "$dir/.complete"
    lab_log "the lab's QEMU ($version, series $hash) built in $(cat "$dir/build-seconds") s"
  fi
  exec {lock}>&-
  LAB_QEMU=$dir/bin/qemu-system-x86_64
  # qboot, the VGA BIOS and the option ROMs QEMU looks for, from Debian.
  LAB_QEMU_FIRMWARE=(-L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu)
}

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs inside the clean root scripts/check-deb makes (as its customize
# hook): install, use, purge, and compare the root's files with before.
set -euo pipefail
in=/tmp/check
export DEBIAN_FRONTEND=noninteractive MANPAGER=cat MANWIDTH=80
# Every path but what apt, dpkg, man-db's index and the logs keep for
# themselves, and this check's own files.
files() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path /var/cache \
    -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log -o -path /var/lib/systemd \) -prune -o -print |
    sort
}
files >"$in/before"
echo "== apt install the packages"
apt-get install -y -q "$in"/debs/*.deb
dpkg -l vfiokit libvfiokit0 libvfiokit-dev vfiokit-device-plugin | tail -4
echo "== vfiokit as a user runs it"
vfiokit --version
vfiokit groups --example | head -n 3
man vfiokit-bind | head -n 6
man 5 vfiokit-profile | head -n 4
test -e /usr/share/bash-completion/completions/vfiokit
echo "== the device plugin: its page, and the example configuration on a lab host"
man 8 vfiokit-device-plugin | head -n 4
vfiokit-device-plugin --check --config /usr/share/vfiokit/kubernetes/device-plugin.toml --sysfs-root "$in/sys"
echo "== a consumer built with CMake and with pkg-config"
cmake -S "$in/consumer" -B "$in/by-cmake" -G Ninja >/dev/null
cmake --build "$in/by-cmake" >/dev/null
"$in/by-cmake/vfiokit-consumer" "$in/sys" | head -n 3
# shellcheck disable=SC2046  # pkg-config's flags are words
g++ -std=c++23 -o "$in/by-pkg-config" "$in/consumer/consumer.cpp" $(pkg-config --cflags --libs vfiokit)
"$in/by-pkg-config" "$in/sys" | head -n 3
echo "== purge"
apt-get purge -y -q vfiokit-device-plugin vfiokit libvfiokit0 libvfiokit-dev
apt-get autoremove --purge -y -q
files >"$in/after"
if ! diff "$in/before" "$in/after"; then
  echo "deb-root-check: the purge left the files above behind (> added, < removed)"
  exit 1
fi
echo "deb-root-check: nothing left behind"

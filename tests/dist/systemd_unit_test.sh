#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The unit vfiokit ships for profiles at boot (dist/systemd/) passes
# `systemd-analyze verify` as an instance, with the program it runs being
# this build's vfiokit; and the libvirt hook wrapper is a valid sh script
# that hands libvirt's arguments to `vfiokit libvirt-hook`, as the Proxmox
# hookscript hands Proxmox's to `vfiokit proxmox-hook`.
#   systemd_unit_test.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
sed "s|@VFIOKIT_PROGRAM@|$build/vfiokit|g" "$here/dist/systemd/vfiokit-profile@.service.in" \
  >"$scratch/vfiokit-profile@.service"
if ! out=$(cd "$scratch" && systemd-analyze verify --man=no "$scratch/vfiokit-profile@vm.service" 2>&1); then
  echo "systemd_unit_test: systemd-analyze verify failed:"; echo "$out"; fail=1
elif [ -n "$out" ]; then
  echo "systemd_unit_test: systemd-analyze verify warned:"; echo "$out"; fail=1
fi
for key in 'Type=oneshot' 'RemainAfterExit=yes' 'Before=libvirtd.service virtqemud.service' \
  "ExecStart=$build/vfiokit up /etc/vfiokit/profiles/%i.toml" "ExecStop=$build/vfiokit down %i"; do
  grep -qxF "$key" "$scratch/vfiokit-profile@.service" || { echo "systemd_unit_test: the unit lacks $key"; fail=1; }
done
# The hook wrapper, with a stand-in for vfiokit that prints its arguments.
printf '#!/bin/sh\necho "$@"\n' >"$scratch/fake-vfiokit"
chmod +x "$scratch/fake-vfiokit"
sed "s|@VFIOKIT_PROGRAM@|$scratch/fake-vfiokit|g" "$here/dist/libvirt/qemu-hook.in" >"$scratch/hook"
chmod +x "$scratch/hook"
got=$("$scratch/hook" "my vm" prepare begin - </dev/null)
[ "$got" = "libvirt-hook my vm prepare begin -" ] || { echo "systemd_unit_test: the hook ran: $got"; fail=1; }
sed "s|@VFIOKIT_PROGRAM@|$scratch/fake-vfiokit|g" "$here/dist/proxmox/hookscript.in" >"$scratch/hookscript"
chmod +x "$scratch/hookscript"
got=$("$scratch/hookscript" 100 pre-start </dev/null)
[ "$got" = "proxmox-hook 100 pre-start" ] || { echo "systemd_unit_test: the hookscript ran: $got"; fail=1; }
[ "$fail" = 0 ] && echo "systemd_unit_test: the unit verifies and the hooks hand on their callers' arguments"
exit "$fail"

# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "harness-hang": a guest that never finishes, to prove the host-side
# timeout ends QEMU and shows the serial log.
echo "guest says: about to hang"
sleep 100000

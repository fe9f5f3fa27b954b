# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "harness-panic": a guest kernel that panics, to prove the host side
# fails with the tail of the serial log.
echo "guest says: about to panic"
echo c >/proc/sysrq-trigger

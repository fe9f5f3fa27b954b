# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "harness-fail": a guest test that fails, to prove the host side
# reports it (tests/lab/harness_test.sh).
lab_check "a check that passes" true
lab_check "a check that fails on purpose" sh -c 'echo "guest says: 2 + 2 is not 5"; exit 3'

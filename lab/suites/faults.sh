# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "faults": turns on the fault injection of the suites after it in the
# same boot ("faults,binding,rebar"): a SIGKILL after every step of a bind,
# a release and a BAR resize, each repaired by `vfiokit recover`. The kills
# test vfiokit's journal, which is the same on every kernel, so one kernel
# runs them; the others run the plain binding and resize tests.
# shellcheck disable=SC2034  # read by the suites sourced after this one
LAB_FAULTS=1

# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Boots the guest under QEMU (q35, TCG, emulated Intel IOMMU), records the
# console with host timestamps, receives the sysfs snapshot on ttyS1, and
# turns the console markers into per-test results.

# The slowest initcalls of Debian's kernels under TCG that no test needs
# (initcall_debug): the jitter entropy source's self-test (0.5 s on 6.12)
# and the crypto self-tests (0.4-0.8 s); about a second of every boot. The
# SP800-108 KDF tests itself whatever cryptomgr says, and its HMAC asks for
# modprobe, which waits for the initramfs to be unpacked: 0.48 s on 6.12.
# e1000 and e1000e probe asynchronously, each device beside the others
# (their probes mostly sleep): the lab kernel, where they are built in,
# still waits for them before /init, and a Debian kernel's modprobe returns
# only when its module's probes are done.
LAB_FAST_BOOT="initcall_blacklist=jent_mod_init,crypto_kdf108_init cryptomgr.notests=1 driver_async_probe=e1000,e1000e"

# Every process in the guest at the same addresses (no ASLR): TCG keeps the
# code it has translated, but QEMU 7.2 looks an x86 translation up by its
# virtual address too (PC-relative translations came to x86 in QEMU 8.1),
# so with randomised mappings every process of a suite translated libc,
# the loader and vfiokit afresh. Measured on the lab's kernel, medians of
# 20: `vfiokit --version` 50 -> 13 ms, `vfiokit show` 110 -> 33 ms,
# `vfiokit list` 190 -> 93 ms. The suites test vfiokit, not ASLR.
LAB_SAME_ADDRESSES="norandmaps"

lab_boot() {  # OUTDIR SUITE TIMEOUT
  local out=$1 suite=$2 limit=$3 qemu_pid status
  # One TCG thread runs both vCPUs. Under multi-threaded TCG a boot of
  # Debian's 6.12 died once with "Oops: int3" in code the kernel was
  # patching (text_poke_bp), most likely a vCPU running a stale translation
  # of code the other had just changed. The lab runs guests in parallel
  # instead, and one thread also costs less CPU per run (measured: 18.6 s
  # against 20.5 s of user time for the pci and vfio suites).
  # shellcheck disable=SC2054  # QEMU's options take comma-separated values
  local -a cmd=("$LAB_QEMU" "${LAB_QEMU_FIRMWARE[@]}" -machine q35 -accel tcg,thread=single -cpu max -m "$MEMORY" -smp "$SMP"
    -nographic -no-reboot -nic none
    -bios /usr/share/qemu/qboot.rom
    -kernel "$KIMAGE" -initrd "$out/initramfs.cpio"
    -append "console=ttyS0 intel_iommu=on panic=-1 rdinit=/init quiet $LAB_FAST_BOOT $LAB_SAME_ADDRESSES lab.suite=$suite $LAB_APPEND"
    -serial mon:stdio -serial "file:$out/snapshot.tar.gz"
    "${QEMU_TOPOLOGY[@]}")
  printf '%q ' "${cmd[@]}" >"$out/qemu.cmd"
  echo >>"$out/qemu.cmd"
  LAB_BOOT_T0=$EPOCHREALTIME
  # QEMU runs in its own process group so that a timeout ends it and only it.
  set +e
  setsid "${cmd[@]}" </dev/null >"$out/console.raw" 2>&1 &
  qemu_pid=$!
  trap 'kill -KILL -- -'"$qemu_pid"' 2>/dev/null' EXIT INT TERM
  # tail checks that QEMU still runs once a second unless told (-s):
  # every run waited half a second on average after its guest was done.
  (
    tail -n +1 -F -s 0.1 --pid="$qemu_pid" "$out/console.raw" 2>/dev/null |
      while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done
  ) >"$out/serial.log" &
  local reader=$!
  local waited=0
  while kill -0 "$qemu_pid" 2>/dev/null; do
    if [ "$waited" -ge "$((limit * 10))" ]; then
      echo "lab: timeout: the guest did not finish within ${limit}s" >>"$out/console.raw"
      kill -TERM -- "-$qemu_pid" 2>/dev/null
      # QEMU ends on SIGTERM at once; a second for it, looked at every
      # tenth, then SIGKILL.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL -- "-$qemu_pid" 2>/dev/null
      LAB_TIMED_OUT=1
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$qemu_pid"
  status=$?
  wait "$reader"
  # Lines written just before QEMU exited may have escaped the reader.
  local have
  have=$(wc -l <"$out/serial.log")
  tail -n +"$((have + 1))" "$out/console.raw" | while IFS= read -r line; do
    printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
  done >>"$out/serial.log"
  trap - EXIT INT TERM
  set -e
  LAB_QEMU_STATUS=$status
}

# Prints per-test results and the timings; returns 0 only when the suite ran
# to the end with at least one test and no failure.
lab_report() {  # OUTDIR KERNEL SUITES
  local out=$1 kernel=$2 suites=$3 passed failed first
  grep -a ' LAB-TEST ' "$out/serial.log" | cut -d' ' -f2- >"$out/results.txt" || true
  passed=$(grep -c '^LAB-TEST PASS ' "$out/results.txt" || true)
  failed=$(grep -c '^LAB-TEST FAIL ' "$out/results.txt" || true)
  first=$(awk -v t0="$LAB_BOOT_T0" '$2 == "LAB-TIME" && $3 == "first-test" { printf "%.1f", $1 - t0; exit }' "$out/serial.log")
  sed 's/^LAB-TEST /  /' "$out/results.txt"
  # The summary is also kept in summary.txt, which scripts/test prints for
  # every lab run: boot time per kernel and the benchmarks' figures.
  {
    echo "lab: $kernel ($KVER), suites $suites: boot to first test ${first:-?}s (host), $passed passed, $failed failed"
    # Where the time went: the guest's uptime at each mark, as differences.
    awk '$2 == "LAB-TIME" && $3 != "init" {
        if (name != "") line = line (line == "" ? "" : ", ") name " " sprintf("%.1fs", $4 - at)
        name = ($3 == "first-test" ? "" : $3); sub(/^suite-/, "", name); at = $4 }
      END { if (line != "") print "lab: time per suite (guest clock): " line }' "$out/serial.log"
    cut -d' ' -f2- "$out/serial.log" | grep -a '^BENCH ' | sed 's/^/lab: /' || true
  } | tee "$out/summary.txt"
  if [ -s "$out/snapshot.tar.gz" ] && mkdir -p "$out/sysfs" && tar -xzf "$out/snapshot.tar.gz" -C "$out/sysfs" 2>/dev/null &&
    tar -xzf "$out/sysfs/host.tar.gz" -C "$out/sysfs" 2>/dev/null && rm "$out/sysfs/host.tar.gz"; then
    echo "lab: sysfs snapshot in $out/sysfs"
  fi
  if ! grep -aq ' LAB-DONE ' "$out/serial.log"; then
    if [ -n "${LAB_TIMED_OUT:-}" ]; then
      echo "lab: FAIL: the guest timed out; last lines of the serial log:"
    else
      echo "lab: FAIL: the guest stopped before its suite finished (QEMU exit status $LAB_QEMU_STATUS); last lines of the serial log:"
    fi
    # A panic's cause comes before its long stack trace: show it too.
    cut -d' ' -f2- "$out/serial.log" | grep -a -E 'Kernel panic|BUG:|Oops|watchdog: BUG' | head -n 3 | sed 's/^/  ! /'
    cut -d' ' -f2- "$out/serial.log" | tail -n 25 | sed 's/^/  | /'
    return 1
  fi
  if [ "$failed" -gt 0 ]; then
    echo "lab: FAIL: $failed guest test(s) failed:"
    grep '^LAB-TEST FAIL ' "$out/results.txt" | sed 's/^LAB-TEST FAIL /  /'
    return 1
  fi
  [ "$passed" -gt 0 ] || { echo "lab: FAIL: the suite ran no test"; return 1; }
  echo "lab: PASS"
}

# shellcheck shell=dash
# Suite "rebar-device": real resizes of the lab's Resizable BAR test device
# (lab/topologies/rebar-device.topo, on the lab's own QEMU): what vfiokit
# reads of it equals lspci and the kernel's resourceN_resize; the size
# write really happens, growing and shrinking BAR2 within its root port's
# window; a size the device does not offer is refused before any change;
# one that cannot fit is the kernel's ENOSPC, rolled back with the device
# as it was.

lab_host_drivers
_dev=$(lab_find 1234:ba12 | head -n 1)
lab_check "find the Resizable BAR device" test -n "$_dev"
_d=/sys/bus/pci/devices/$_dev

# The size of BAR N from `resource` (line N: start end flags).
_bar_size() {
  sed -n "$(($1 + 1))p" "$_d/resource" | { read -r _s _e _f; echo $((_e - _s + 1)); }
}

lab_check "vfiokit rebar agrees with lspci and resource2_resize" sh -c "
  vfiokit rebar $_dev | tee /tmp/rebar.txt &&
  grep -q 'BAR 2: current 16MiB, supported 1MiB 2MiB 4MiB 8MiB 16MiB 32MiB 64MiB 128MiB 256MiB 512MiB 1GiB 2GiB 4GiB 8GiB 16GiB 32GiB 64GiB' /tmp/rebar.txt &&
  grep -q 'resource2_resize: 000000000001ffff (agrees)' /tmp/rebar.txt &&
  lspci -s $_dev -vvv | grep -q 'BAR 2: current size: 16MB, supported: 1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB 256MB 512MB 1GB 2GB 4GB 8GB 16GB 32GB 64GB'"
lab_check "BAR2 starts at 16 MiB" test "$(_bar_size 2)" = $((16 << 20))

lab_check "grow BAR2 to 256 MiB" vfiokit rebar "$_dev" --bar 2 --size 256M
lab_check "the kernel sees 256 MiB" test "$(_bar_size 2)" = $((256 << 20))
lab_check "and so does the device (lspci)" sh -c "lspci -s $_dev -vvv | grep -q 'BAR 2: current size: 256MB'"
lab_check "grow BAR2 to 1 GiB" vfiokit rebar "$_dev" --bar 2 --size 1G
lab_check "the kernel sees 1 GiB" test "$(_bar_size 2)" = $((1 << 30))
lab_check "shrink BAR2 to 2 MiB" vfiokit rebar "$_dev" --bar 2 --size 2M
lab_check "the kernel sees 2 MiB" test "$(_bar_size 2)" = $((2 << 20))
lab_check "BAR4 to its largest (max)" vfiokit rebar "$_dev" --bar 4 --size max
lab_check "the kernel sees 256 MiB on BAR4" test "$(_bar_size 4)" = $((256 << 20))

cat "$_d/resource" >/tmp/resource.before
lab_check "a size BAR4 does not offer is refused (status 1)" sh -c "vfiokit rebar $_dev --bar 4 --size 1G; test \$? = 1"
lab_check "and nothing changed" cmp -s "$_d/resource" /tmp/resource.before
lab_check "64 GiB cannot fit: the kernel's error, rolled back" sh -c \
  "vfiokit rebar $_dev --bar 2 --size 64G 2>&1 | tee /tmp/enospc; grep -q 'No space left on device' /tmp/enospc"
lab_check "BAR2 is 2 MiB again after the rollback" test "$(_bar_size 2)" = $((2 << 20))
lab_check "the journal is empty" sh -c "test -z \"\$(ls /run/vfiokit 2>/dev/null | grep resize-)\""

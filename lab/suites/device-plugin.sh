# shellcheck shell=dash
# SPDX-License-Identifier: Apache-2.0
# Suite "device-plugin": vfiokit-device-plugin on the real kernel, its
# health from the kernel's uevents, with the test kubelet
# (vfiokit-test-kubelet) on a device-plugins directory of its own: the
# nvme's group is Unhealthy on nvme, Healthy once `vfiokit bind` has it,
# Unhealthy again within 1 s of `vfiokit release`; Allocate's device nodes
# open. Where the kernel has iommufd, the same with the VFIO cdevs.

lab_host_drivers

_dir=/tmp/device-plugins
_nvme=$(lab_plain_nvme)
mkdir -p "$_dir"

# _wait_line FILE PATTERN SECONDS: until a line of FILE matches.
_wait_line() {
  _n=0
  while ! grep -q "$2" "$1" 2>/dev/null; do
    _n=$((_n + 1))
    [ "$_n" -gt $(($3 * 20)) ] && return 1
    sleep 0.05
  done
}

# _plugin NODES: the plugin serving the nvme as lab.vfiokit.io/nvme with
# those device nodes, its log in /tmp/plugin.log.
_plugin() {
  printf '[resource."lab.vfiokit.io/nvme"]\nselect = ["1b36:0010"]\ndevice-nodes = "%s"\n' "$1" >/tmp/plugin.toml
  : >/tmp/kubelet.log
  vfiokit-device-plugin --config /tmp/plugin.toml --device-plugin-dir "$_dir" 2>/tmp/plugin.log &
  _plugin_pid=$!
}

vfiokit-test-kubelet serve "$_dir" /tmp/kubelet.log 2>/tmp/test-kubelet.err &
_kubelet_pid=$!
_plugin group
lab_check "the plugin registers with the kubelet" _wait_line /tmp/plugin.log "registered lab.vfiokit.io/nvme" 10
lab_check "$_nvme on nvme is listed Unhealthy" _wait_line /tmp/kubelet.log "lab.vfiokit.io/nvme.* $_nvme=Unhealthy" 10
lab_check "bind $_nvme" vfiokit bind "$_nvme"
lab_check "the kubelet hears $_nvme is Healthy" _wait_line /tmp/kubelet.log "$_nvme=Healthy" 2
_group=$(basename "$(readlink "/sys/bus/pci/devices/$_nvme/iommu_group")")
lab_check "Allocate hands out /dev/vfio/vfio and /dev/vfio/$_group, and they open" sh -c \
  "vfiokit-test-kubelet allocate $_dir vfiokit-lab.vfiokit.io_nvme.sock $_nvme --open >/tmp/alloc; cat /tmp/alloc;
   grep -qx 'opened /dev/vfio/vfio' /tmp/alloc && grep -qx 'opened /dev/vfio/$_group' /tmp/alloc &&
   grep -qx 'env PCI_RESOURCE_LAB_VFIOKIT_IO_NVME=$_nvme' /tmp/alloc"
lab_check "Allocate refuses an ID that is not the plugin's" sh -c \
  "! vfiokit-test-kubelet allocate $_dir vfiokit-lab.vfiokit.io_nvme.sock 0000:ff:1f.7 2>/tmp/refusal; cat /tmp/refusal; grep -q 'is not a device of this resource' /tmp/refusal"

# From the start of the release to the kubelet's Unhealthy: the unbind's
# uevent comes while release is still restoring the driver.
_t0=$(vfiokit-test-kubelet now)
lab_check "release $_nvme" vfiokit release "$_nvme"
if _wait_line /tmp/kubelet.log "$_nvme=Unhealthy" 5 && _t1=$(grep "$_nvme=Unhealthy" /tmp/kubelet.log | tail -n 1 | cut -d' ' -f1) &&
  [ "$_t1" -ge "$_t0" ]; then
  _ms=$((_t1 - _t0))
  echo "device-plugin: Unhealthy reached the kubelet ${_ms} ms after release began"
  if [ "$_ms" -le 1000 ]; then lab_pass "released $_nvme is Unhealthy within 1 s (${_ms} ms)"
  else lab_fail "released $_nvme is Unhealthy within 1 s" "${_ms} ms"; fi
else
  lab_fail "released $_nvme is Unhealthy within 1 s" "no Unhealthy after the release: $(tail -n 2 /tmp/kubelet.log)"
fi
lab_check "Allocate refuses the released group" sh -c \
  "! vfiokit-test-kubelet allocate $_dir vfiokit-lab.vfiokit.io_nvme.sock $_nvme 2>/tmp/refusal; cat /tmp/refusal; grep -q 'cannot be handed out now' /tmp/refusal"
kill "$_plugin_pid"
wait "$_plugin_pid"
lab_check "the plugin stops on SIGTERM and removes its socket" test ! -e "$_dir/vfiokit-lab.vfiokit.io_nvme.sock"

if [ -e /dev/iommu ]; then
  _plugin cdev
  lab_check "bind $_nvme again" vfiokit bind "$_nvme"
  lab_check "cdev: the kubelet hears $_nvme is Healthy" _wait_line /tmp/kubelet.log "$_nvme=Healthy" 10
  _cdev=$(basename /sys/bus/pci/devices/"$_nvme"/vfio-dev/vfio*)
  lab_check "cdev: Allocate hands out /dev/iommu and /dev/vfio/devices/$_cdev, and they open" sh -c \
    "vfiokit-test-kubelet allocate $_dir vfiokit-lab.vfiokit.io_nvme.sock $_nvme --open >/tmp/alloc; cat /tmp/alloc;
     grep -qx 'opened /dev/iommu' /tmp/alloc && grep -qx 'opened /dev/vfio/devices/$_cdev' /tmp/alloc"
  lab_check "release $_nvme" vfiokit release "$_nvme"
  lab_check "cdev: Unhealthy after the release" _wait_line /tmp/kubelet.log "$_nvme=Unhealthy" 2
  kill "$_plugin_pid"
  wait "$_plugin_pid"
else
  echo "device-plugin: this kernel has no /dev/iommu; the cdev device nodes are checked on the lab's own kernel"
fi
kill "$_kubelet_pid"
echo "== plugin log"
cat /tmp/plugin.log

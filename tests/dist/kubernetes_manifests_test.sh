#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deploy/kubernetes as a cluster would take it, checked with Debian 12's
# kubectl (kubernetes-client 1.20) without a cluster:
#   - `kubectl kustomize` renders it (the ConfigMap made from
#     device-plugin.toml, the DaemonSet pointed at it);
#   - each object decodes into Kubernetes' own types in a client-side dry
#     run (`kubectl set image --local --dry-run=client`, a DaemonSet;
#     `kubectl create configmap --dry-run=client` from the same file): an
#     unknown kind fails there, and a field Kubernetes does not know is
#     dropped by the typed round trip, which is compared with what was
#     written, so a misspelt or misplaced field fails too;
#   - the DaemonSet mounts what the plugin needs where it looks, and the
#     configuration in the ConfigMap passes vfiokit-device-plugin --check.
# Debian's kubectl is taken from the package (apt-get download) into a
# cache when /usr/bin/kubectl is another one.
#   kubernetes_manifests_test.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export KUBECONFIG=/dev/null

kubectl=/usr/bin/kubectl
if ! dpkg-query -S "$kubectl" 2>/dev/null | grep -q '^kubernetes-client:'; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfiokit-kubectl
  kubectl=$cache/usr/bin/kubectl
  if [ ! -x "$kubectl" ]; then
    mkdir -p "$cache/deb" && chmod 0755 "$cache/deb"
    (cd "$cache/deb" && apt-get download -q kubernetes-client >/dev/null 2>&1) ||
      { echo "kubernetes_manifests_test: apt-get download kubernetes-client failed"; exit 1; }
    dpkg-deb -x "$cache"/deb/kubernetes-client_*.deb "$cache" || exit 1
  fi
fi
echo "kubernetes_manifests_test: $("$kubectl" version --client --short 2>/dev/null || "$kubectl" version --client)"

"$kubectl" kustomize "$here/deploy/kubernetes" >"$scratch/all.yaml" ||
  { echo "kubernetes_manifests_test: kubectl kustomize failed"; exit 1; }
"$kubectl" label --local --dry-run=client -f "$scratch/all.yaml" checked=yes -o json >"$scratch/written.json" ||
  { echo "kubernetes_manifests_test: the rendered manifests do not parse"; exit 1; }
python3 - "$scratch/written.json" "$scratch" <<'PY' || exit 1
import json, sys
# One JSON object after another, as kubectl prints several.
text, items, at, dec = open(sys.argv[1]).read(), [], 0, json.JSONDecoder()
while text[at:].strip():
    at += len(text[at:]) - len(text[at:].lstrip())
    obj, at = dec.raw_decode(text, at)
    items.extend(obj["items"] if obj.get("kind") == "List" else [obj])
for it in items:
    json.dump(it, open(f"{sys.argv[2]}/{it['kind']}.json", "w"))
kinds = sorted(it["kind"] for it in items)
if kinds != ["ConfigMap", "DaemonSet"]:
    sys.exit(f"kubernetes_manifests_test: expected a ConfigMap and a DaemonSet, got {kinds}")
PY

# The typed round trip of the DaemonSet (kubectl prints an object only when
# it changed it: the image is set to another name, its key stays).
"$kubectl" set image --local --dry-run=client -f "$scratch/DaemonSet.json" "device-plugin=checked:0" -o json \
  >"$scratch/typed.json" || { echo "kubernetes_manifests_test: the DaemonSet does not decode as apps/v1 DaemonSet"; exit 1; }
config=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["device-plugin.toml"], end="")' \
  "$scratch/ConfigMap.json" | tee "$scratch/device-plugin.toml" >/dev/null; echo "$scratch/device-plugin.toml")
"$kubectl" create configmap vfiokit-device-plugin --from-file="$config" --dry-run=client -o json >/dev/null ||
  { echo "kubernetes_manifests_test: the configuration does not make a ConfigMap"; exit 1; }

python3 - "$scratch/DaemonSet.json" "$scratch/typed.json" <<'PY' || exit 1
import json, sys
written, typed = (json.load(open(p)) for p in sys.argv[1:3])
written["metadata"].get("labels", {}).pop("checked", None)
lost = []
def walk(w, t, path):
    if isinstance(w, dict):
        for k, v in w.items():
            if not isinstance(t, dict) or k not in t:
                lost.append(path + "." + k)
            else:
                walk(v, t[k], path + "." + k)
    elif isinstance(w, list):
        for i, v in enumerate(w):
            walk(v, t[i] if isinstance(t, list) and i < len(t) else None, f"{path}[{i}]")
walk(written, typed, "")
if lost:
    sys.exit("kubernetes_manifests_test: fields Kubernetes does not know (dropped by the typed decode): " + ", ".join(lost))
spec = typed["spec"]["template"]["spec"]
c = spec["containers"][0]
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
volumes = {v["name"]: v for v in spec["volumes"]}
need = {"/var/lib/kubelet/device-plugins": "the kubelet's directory", "/sys": "sysfs", "/run/vfiokit": "the journal",
        "/etc/vfiokit": "the configuration"}
problems = [f"nothing mounted at {p} ({what})" for p, what in need.items() if p not in mounts.values()]
for name, path in mounts.items():
    v = volumes.get(name)
    if v is None:
        problems.append(f"mount {name} has no volume")
    elif "hostPath" in v and v["hostPath"]["path"] != path:
        problems.append(f"{name}: host {v['hostPath']['path']} is mounted at {path}, where the plugin does not look")
args = c.get("args", [])
if "--config" not in args or args[args.index("--config") + 1] != "/etc/vfiokit/device-plugin.toml":
    problems.append("the plugin is not pointed at /etc/vfiokit/device-plugin.toml")
if not spec.get("hostNetwork"):
    problems.append("hostNetwork is off: kernel uevents reach only the host's network namespace")
if not c.get("securityContext", {}).get("privileged"):
    problems.append("not privileged: binding writes sysfs")
cm = [v for v in volumes.values() if "configMap" in v]
if len(cm) != 1 or not cm[0]["configMap"]["name"].startswith("vfiokit-device-plugin-"):
    problems.append("the configuration volume is not the generated ConfigMap")
if problems:
    sys.exit("kubernetes_manifests_test: " + "; ".join(problems))
PY

# The configuration itself, on a lab host snapshot.
mkdir -p "$scratch/host" && tar -xzf "$here/data/fixtures/lab-q35-debian-6.12.tar.gz" -C "$scratch/host"
if ! out=$("$build/vfiokit-device-plugin" --config "$config" --sysfs-root "$scratch/host/sys" --check 2>&1); then
  echo "kubernetes_manifests_test: vfiokit-device-plugin --check refuses the example configuration:"; echo "$out"; exit 1
fi
echo "$out"
echo "kubernetes_manifests_test: deploy/kubernetes renders, decodes into Kubernetes' types and configures the plugin"

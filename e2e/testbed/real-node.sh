#!/usr/bin/env bash
# One REAL node for a member cluster of the testbed (PAYGRID_REAL_NODES=1 testbed.sh up): a
# kubelet built by build-tools.sh against its own containerd (own socket, root, state, CNI
# bridge and subnet), so pods placed on it run in real containers next to the KWOK nodes.
# Nothing is pulled: the sandbox image is built locally and images are imported from podman.
#
#   real-node.sh up MEMBER INDEX    start containerd + kubelet for MEMBER, subnet 10.88.INDEX.0/24
#   real-node.sh wait MEMBER        until its node is Ready
#   real-node.sh stop MEMBER        stop kubelet, containers, containerd and endpoint (a crashed
#                                   site; `up` starts them again on the same state)
#   real-node.sh down MEMBER        stop them and remove their state
#   real-node.sh cut MEMBER INDEX   partition the site's links (below); `mend` undoes it
#   real-node.sh inside MEMBER INDEX  a network namespace on the site's bridge for terminals that
#                                   sit inside the site (pgt-MEMBER, address 10.88.INDEX.250)
#
# A cut is real packet loss on the site's links (iptables DROP, so connections hang as on a dead
# WAN link): the site's pods reach nothing beyond their node (not the ledger, not PostgreSQL, not
# the other sites), nothing routes into the site's subnet, and clients on the host no longer reach
# its endpoint. What is inside the site keeps working: its pods, kubelet and apiserver, its
# endpoint for terminals in pgt-MEMBER. The operator's path to its apiserver is cut by the fault
# proxy (testbed.sh partition).
#
# The site's endpoint is http://10.88.INDEX.1:8080: site-endpoint-main.js forwards it to the ready
# pods of the member's component (authorization on edges; on a cloud cluster, cloud-eu or cloud-us,
# by path, authorization's /v1/authorizations and the ledger's everything else), as a load balancer
# or ingress in front of a real site would; there is no kube-proxy.
#
# The node is named <member>-real, labelled paygrid.io/node=real and tainted
# paygrid.io/node=real:NoSchedule, so only pods that ask for it (the member registration's
# spec.workloads) land there; the node address is the bridge's 10.88.INDEX.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/versions.env"
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
tools=$cache/tools
dir=${PAYGRID_TESTBED_DIR:-$cache/testbed}
KWOK_WORKDIR=$dir/kwok
kubelet_bin=$tools/kubernetes-$KUBE_VERSION/kubelet
pause_image=localhost/paygrid/pause:testbed
repo=$(cd "$here/../.." && pwd)
version=$(node -p "require('$repo/package.json').version")
images=(${PAYGRID_REAL_NODE_IMAGES:-localhost/paygrid/authorization:e2e localhost/paygrid/ledger:e2e localhost/paygrid/analytics:e2e})

log() { printf '[real-node] %s\n' "$*" >&2; }
die() { printf '[real-node] ERROR: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The sandbox image: any process that stays up. containerd stops sandboxes with SIGKILL, so a
# PID 1 without signal handlers is fine. Built over the project's local Debian base (e2e/image).
pause_tar() {
  local tar=$dir/real/images.tar
  [ -s "$tar" ] && { echo "$tar"; return; }
  mkdir -p "$dir/real"
  local podman=(bash "$here/../image/podman.sh")
  if ! "${podman[@]}" image exists "$pause_image" 2>/dev/null; then
    local bases; bases=$(bash "$here/../image/local-bases.sh") || die "local base images: see e2e/image/local-bases.sh"
    eval "$bases"
    log "building $pause_image over $NODE_IMAGE"
    printf 'FROM %s\nENTRYPOINT ["/bin/sleep", "infinity"]\n' "$NODE_IMAGE" \
      | "${podman[@]}" build -q -t "$pause_image" -f - "$dir/real" >/dev/null || die "could not build $pause_image"
  fi
  local have=("$pause_image") i
  for i in "${images[@]}"; do
    if "${podman[@]}" image exists "$i" 2>/dev/null; then have+=("$i"); else log "image $i not built (make image-local): not imported"; fi
  done
  "${podman[@]}" save -q -m -o "$tar.$$" "${have[@]}" >/dev/null || die "podman save failed"
  mv "$tar.$$" "$tar"
  echo "$tar"
}

up() {
  local m=$1 n=$2 d=$dir/real/$1
  local ip=10.88.$n.1 br=pg-$1 node=$1-real
  [ -x "$kubelet_bin" ] || die "missing $kubelet_bin: run 'bash e2e/testbed/build-tools.sh kubelet'"
  command -v containerd >/dev/null || die "containerd is missing: run 'bash e2e/testbed/real-node-deps.sh'"
  mkdir -p "$d"/{cni,cni-ipam,kubelet,logs,pod-logs}
  # The bridge exists before the kubelet starts so the node address does; CNI reuses it.
  ip link show "$br" >/dev/null 2>&1 || ip link add "$br" type bridge
  # Not piped into grep -q: under pipefail, ip's SIGPIPE would read as "no address".
  [[ $(ip -4 addr show dev "$br") == *"inet $ip/"* ]] || ip addr add "$ip/24" dev "$br"
  ip link set "$br" up
  cat >"$d/cni/10-bridge.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$br", "plugins": [
  {"type": "bridge", "bridge": "$br", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$d/cni-ipam", "ranges": [[{"subnet": "10.88.$n.0/24", "gateway": "$ip"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
  # restrict_oom_score_adj: this sandbox may not lower oom_score_adj; without it every
  # sandbox fails with "can't get final child's PID from pipe: EOF".
  cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd-root"
state = "$d/containerd-state"
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
TOML
  if ! pid_alive "$d/containerd.pid"; then
    containerd --config "$d/containerd.toml" >"$d/logs/containerd.log" 2>&1 &
    echo $! >"$d/containerd.pid"
  fi
  for _ in $(seq 1 100); do ctr -a "$d/containerd.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  ctr -a "$d/containerd.sock" version >/dev/null 2>&1 || die "containerd for $m did not start (log: $d/logs/containerd.log)"
  local tar; tar=$(pause_tar)
  ctr -a "$d/containerd.sock" -n k8s.io images import --no-unpack=false "$tar" >"$d/logs/import.log" 2>&1 \
    || die "image import into $m's containerd failed: $(tail -3 "$d/logs/import.log")"
  # Also under the names examples/paymentgateway.yaml uses: this checkout's build is that version.
  local i
  for i in "${images[@]}"; do
    local svc=${i##*/}; svc=${svc%%:*}
    ctr -a "$d/containerd.sock" -n k8s.io images tag --force "$i" "ghcr.io/paygrid/$svc:$version" >/dev/null 2>&1 || true
  done

  local kubeconfig=$dir/members/$m.direct.kubeconfig ca
  ca=$(ls "$KWOK_WORKDIR/clusters/$m/pki/ca.crt")
  # kubelet 1.35 refuses cgroup v1 unless failCgroupV1 is false; this sandbox cannot create QoS
  # cgroups or enforce allocatable. Ports bind to the node address so three kubelets share the host.
  cat >"$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupsPerQOS: false
enforceNodeAllocatable: []
cgroupDriver: cgroupfs
failSwapOn: false
address: $ip
port: 10250
readOnlyPort: 0
healthzBindAddress: $ip
healthzPort: 10248
podLogsDir: $d/pod-logs
containerRuntimeEndpoint: unix://$d/containerd.sock
registerWithTaints:
  - {key: paygrid.io/node, value: real, effect: NoSchedule}
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $ca}
authorization: {mode: AlwaysAllow}
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
YAML
  if ! pid_alive "$d/kubelet.pid"; then
    # The admin kubeconfig of the member stands in for node credentials (a testbed, not TLS bootstrap).
    "$kubelet_bin" --config "$d/kubelet.yaml" --kubeconfig "$kubeconfig" --root-dir "$d/kubelet" \
      --cert-dir "$d/kubelet/pki" --hostname-override "$node" --node-ip "$ip" \
      --node-labels "paygrid.io/node=real,type=real" >"$d/logs/kubelet.log" 2>&1 &
    echo $! >"$d/kubelet.pid"
  fi
  if ! pid_alive "$d/endpoint.pid"; then
    # An edge site's endpoint serves authorization; the cloud's is the ledger's URL and, when
    # authorization fails over to the cloud, the terminals' route too (by path, as an ingress).
    local backends=(--component authorization)
    [[ $m == cloud-* ]] && backends=(--route /v1/authorizations=authorization --route /=ledger)
    node "$repo/e2e/dist/testbed/site-endpoint-main.js" --kubeconfig "$kubeconfig" --listen "$ip:8080" \
      "${backends[@]}" >"$d/logs/endpoint.log" 2>&1 &
    echo $! >"$d/endpoint.pid"
  fi
  log "$m: node $node at $ip (containerd $d/containerd.sock, logs $d/logs)"
}

wait_ready() { # wait_ready MEMBER : the node reports Ready
  local m=$1 kc=$dir/members/$1.direct.kubeconfig
  for _ in $(seq 1 240); do
    if [ "$(kubectl --kubeconfig "$kc" get node "$m-real" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; then
      return 0; fi
    pid_alive "$dir/real/$m/kubelet.pid" || die "kubelet of $m exited: $(tail -5 "$dir/real/$m/logs/kubelet.log")"
    sleep 0.5
  done
  die "node $m-real not Ready after 120 s (log: $dir/real/$m/logs/kubelet.log)"
}

stop() {
  local m=$1 d=$dir/real/$1 f
  [ -d "$d" ] || return 0
  if pid_alive "$d/endpoint.pid"; then kill "$(cat "$d/endpoint.pid")" 2>/dev/null || true; fi
  if pid_alive "$d/kubelet.pid"; then kill "$(cat "$d/kubelet.pid")" 2>/dev/null || true; fi
  # The containers go first: containerd-shims and their processes outlive containerd on purpose.
  local c t
  if pid_alive "$d/containerd.pid"; then
    for t in $(ctr -a "$d/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null || true); do
      ctr -a "$d/containerd.sock" -n k8s.io tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true
    done
    for c in $(seq 1 50); do [ -z "$(ctr -a "$d/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null | head -1)" ] && break; sleep 0.1; done
  fi
  for f in kubelet containerd; do
    if pid_alive "$d/$f.pid"; then
      kill "$(cat "$d/$f.pid")" 2>/dev/null || true
      for _ in $(seq 1 50); do pid_alive "$d/$f.pid" || break; sleep 0.1; done
      pid_alive "$d/$f.pid" && kill -9 "$(cat "$d/$f.pid")" 2>/dev/null || true
    fi
  done
  # containerd-shims outlive containerd on purpose; the ones of this node go with it.
  local p
  for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $d/containerd.sock" || true); do kill -9 "$p" 2>/dev/null || true; done
  for p in $(pgrep -f -- "--root $d/containerd-state" || true); do kill -9 "$p" 2>/dev/null || true; done
  grep -o " $d/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}

# The cut's rules, one per line (iptables arguments after -I/-D CHAIN), tagged with a comment.
cut_rules() { # cut_rules MEMBER INDEX
  local tag="-m comment --comment paygrid-cut-$1" ip=10.88.$2.1 br=pg-$1
  echo "INPUT -i $br ! -d $ip $tag -j DROP"
  echo "FORWARD -i $br $tag -j DROP"
  echo "FORWARD -o $br $tag -j DROP"
  echo "INPUT -i lo -d $ip -p tcp --dport 8080 $tag -j DROP"
}

cut() {
  command -v iptables >/dev/null || die "iptables is missing: run 'bash e2e/testbed/real-node-deps.sh'"
  local r
  while read -r r; do
    # shellcheck disable=SC2086
    iptables -w -C ${r} 2>/dev/null || iptables -w -I ${r}
  done < <(cut_rules "$1" "$2")
  log "$1: links cut (iptables, tag paygrid-cut-$1)"
}

mend() {
  command -v iptables >/dev/null || return 0
  local r
  while read -r r; do
    # shellcheck disable=SC2086
    while iptables -w -C ${r} 2>/dev/null; do iptables -w -D ${r}; done
  done < <(cut_rules "$1" "$2")
  log "$1: links mended"
}

inside() {
  local m=$1 n=$2 ns=pgt-$1 br=pg-$1
  ip netns list | grep -qx "$ns\( .*\)\?" || ip netns add "$ns"
  if ! ip link show "pgt-$m-h" >/dev/null 2>&1; then
    ip link add "pgt-$m-h" type veth peer name "pgt-$m-t"
    ip link set "pgt-$m-t" netns "$ns"
    ip link set "pgt-$m-h" master "$br" up
    ip -n "$ns" addr add "10.88.$n.250/24" dev "pgt-$m-t"
    ip -n "$ns" link set "pgt-$m-t" up
    ip -n "$ns" link set lo up
    ip -n "$ns" route add default via "10.88.$n.1"
  fi
  echo "$ns"
}

down() {
  [ -d "$dir/real/$1" ] || return 0
  stop "$1"
  mend "$1" "${2:-0}"
  ip link del "pgt-$1-h" 2>/dev/null || true
  ip netns del "pgt-$1" 2>/dev/null || true
  ip link del "pg-$1" 2>/dev/null || true
  rm -rf "$dir/real/$1"
}

case ${1:-} in
  up) up "$2" "$3" ;;
  wait) wait_ready "$2" ;;
  stop) stop "$2" ;;
  down) down "$2" "${3:-0}" ;;
  cut) cut "$2" "$3" ;;
  mend) mend "$2" "$3" ;;
  inside) inside "$2" "$3" ;;
  *) die "usage: real-node.sh up MEMBER INDEX | wait MEMBER | stop MEMBER | down MEMBER [INDEX] | cut|mend|inside MEMBER INDEX" ;;
esac

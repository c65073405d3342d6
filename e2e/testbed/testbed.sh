#!/usr/bin/env bash
# The local testbed: five real Kubernetes control planes (etcd, kube-apiserver
# with RBAC, kube-controller-manager, kube-scheduler) started as processes by
# `kwokctl --runtime binary`, with KWOK nodes, and a fault proxy in front of
# each member's apiserver. The members are cloud-eu, edge-a, edge-b (registered by
# the suites' baseline) and cloud-us (a second cloud cluster that no baseline
# registers: a suite that needs a ledger standby registers it itself).
#
#   testbed.sh up | down | status
#   testbed.sh crash <member> | restore <member>      stop / start a member cluster
#   testbed.sh partition <member> | heal <member>     cut / restore the operator's path to it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/versions.env"
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
tools=$cache/tools
dir=${PAYGRID_TESTBED_DIR:-$cache/testbed}
export KWOK_WORKDIR=$dir/kwok
kubeconfig=$dir/kubeconfig
kwokctl=$tools/kwok-$KWOK_VERSION/kwokctl
clusters=(hub cloud-eu edge-a edge-b cloud-us)
# The order is the real-node index (10.88.<index>.0/24, real_index): new members go at the end.
# e2e/src/testbed/clusters.ts TESTBED_MEMBERS lists them in the same order.
members=(cloud-eu edge-a edge-b cloud-us)
# PAYGRID_REAL_NODES=1: each member also gets one real node (kubelet + containerd, real-node.sh).
real_nodes=${PAYGRID_REAL_NODES:-0}

log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

need_tools() {
  for b in "$kwokctl" "$tools/kwok-$KWOK_VERSION/kwok" "$tools/etcd-$ETCD_VERSION/etcd" \
    "$tools/kubernetes-$KUBE_VERSION/kube-apiserver"; do
    [ -x "$b" ] || die "missing $b: run 'make tools' first"
  done
}

kw() { "$kwokctl" "$@"; }

# kube-apiserver's default Service range is 10.0.0.0/24: 254 Services per cluster, and a
# member past ~250 gateways failed every apply with "failed to allocate a serviceIP: range is
# full" (make bench-scale stalled at 253 of 1,000). A /16 holds 65,534.
SERVICE_CIDR=10.96.0.0/16

# Node leases of 10 s (kwok's default is 40 s x heartbeat factor 5 = 200 s):
# after a crash, the restarted kwok-controller must wait for the old node
# leases to expire before it drives pods again; 200 s would stall every
# failback test, 10 s costs a few lease renewals a second.
real_nodes_config() { # real_nodes_config CLUSTER -> the kwokctl config for it, with its PKI path
  sed "s|PKI|$KWOK_WORKDIR/clusters/$1/pki|g" "$here/real-nodes.kwokctl.yaml" >"$dir/kwokctl-$1.yaml"
  echo "$dir/kwokctl-$1.yaml"
}

create_cluster() {
  local name=$1 kb=$tools/kubernetes-$KUBE_VERSION
  kw create cluster --name "$name" --runtime binary --kubeconfig "$kubeconfig" \
    --kube-apiserver-binary "$kb/kube-apiserver" \
    --kube-controller-manager-binary "$kb/kube-controller-manager" \
    --kube-scheduler-binary "$kb/kube-scheduler" \
    --etcd-binary "$tools/etcd-$ETCD_VERSION/etcd" \
    --kwok-controller-binary "$tools/kwok-$KWOK_VERSION/kwok" \
    --kube-authorization=true \
    --node-lease-duration-seconds 10 --heartbeat-factor 1 \
    --extra-args "kube-apiserver=service-cluster-ip-range=$SERVICE_CIDR" \
    $([ "$real_nodes" = 1 ] && echo "--config $(real_nodes_config "$name")") \
    --wait 120s >"$dir/logs/create-$name.log" 2>&1 \
    || { tail -20 "$dir/logs/create-$name.log" >&2; die "kwokctl could not create cluster $name (log: $dir/logs/create-$name.log)"; }
}

# add_nodes CLUSTER COUNT CPU MEMORY REGION ZONE-PREFIX
add_nodes() {
  local c=$1 n=$2 cpu=$3 mem=$4 region=$5 zone=$6 i docs=""
  for i in $(seq 1 "$n"); do
    docs+=$(sed -e "s/NAME/$c-node-$i/g" -e "s/CPU/$cpu/g" -e "s/MEMORY/$mem/g" \
      -e "s/REGION/$region/g" -e "s/ZONE/$zone/g" "$here/node.yaml.tpl")
    docs+=$'\n---\n'
  done
  kubectl --kubeconfig "$kubeconfig" --context "kwok-$c" apply -f - <<<"$docs" >/dev/null
}

proxy_pid() { [ -f "$dir/proxy.pid" ] && kill -0 "$(cat "$dir/proxy.pid")" 2>/dev/null && cat "$dir/proxy.pid"; }

start_proxy() {
  proxy_pid >/dev/null && return 0
  node "$repo/e2e/dist/testbed/fault-proxy-main.js" --dir "$dir" >>"$dir/logs/proxy.log" 2>&1 &
  echo $! >"$dir/proxy.pid"
  for _ in $(seq 1 100); do [ -f "$dir/proxy.json" ] && return 0; sleep 0.1; done
  die "fault proxy did not start (log: $dir/logs/proxy.log)"
}

proxy_ctl() { # proxy_ctl METHOD PATH
  local port; port=$(node -p "require('$dir/proxy.json').controlPort")
  curl -fsS -X "$1" "http://127.0.0.1:$port$2"
}

# A restarted apiserver (kwokctl start after a machine reboot) answers before its post-start
# hooks finish, so /readyz is polled, bounded, not asked once: the first `make demo` after a
# reboot used to fail with "cluster edge-b is not ready".
wait_ready() { # wait_ready CLUSTER
  local c=$1 out=""
  for _ in $(seq 1 180); do   # 180 × 0.5 s = 90 s at most
    if out=$(kubectl --kubeconfig "$kubeconfig" --context "kwok-$c" get --raw /readyz --request-timeout=2s 2>&1); then
      return 0
    fi
    sleep 0.5
  done
  die "cluster $c is not ready after 90 s: ${out:0:300} (logs under $KWOK_WORKDIR/clusters/$c/logs)"
}

up() {
  need_tools
  local t0=$SECONDS
  mkdir -p "$dir/logs" "$dir/members"
  local existing; existing=$(kw get clusters 2>/dev/null || true)
  for c in "${clusters[@]}"; do
    if grep -qx "$c" <<<"$existing"; then
      log "cluster $c exists; starting it (idempotent up)"
      kw start cluster --name "$c" >/dev/null 2>&1 || true
    else
      log "creating cluster $c"
      create_cluster "$c"   # sequential: kwokctl picks free ports and would race
    fi
  done
  wait
  for c in "${clusters[@]}"; do wait_ready "$c"; done
  add_nodes hub 2 8 32Gi eu-west eu-west-a
  add_nodes cloud-eu 3 32 128Gi eu-west eu-west-a
  add_nodes edge-a 3 4 8Gi eu-west eu-west-a
  add_nodes edge-b 3 4 8Gi eu-west eu-west-b
  add_nodes cloud-us 3 32 128Gi us-east us-east-a
  # The fault proxy fronts each member apiserver; member kubeconfigs point at it.
  for m in "${members[@]}"; do
    kw get kubeconfig --name "$m" >"$dir/members/$m.direct.kubeconfig"
  done
  start_proxy
  for m in "${members[@]}"; do
    node "$repo/e2e/dist/testbed/member-kubeconfig-main.js" --dir "$dir" --member "$m"
  done
  if [ "$real_nodes" = 1 ]; then
    for m in "${members[@]}"; do bash "$here/real-node.sh" up "$m" "$(real_index "$m")"; done
    for m in "${members[@]}"; do bash "$here/real-node.sh" wait "$m"; done
    bash "$here/real-postgres.sh" up 10.88.1.1   # cloud-eu's node address (index 1)
  fi
  kubectl --kubeconfig "$kubeconfig" config use-context kwok-hub >/dev/null
  log "up in $((SECONDS - t0)) s: contexts $(printf 'kwok-%s ' "${clusters[@]}")(kubeconfig $kubeconfig)"
  log "member kubeconfigs (through the fault proxy): $dir/members/<member>.kubeconfig"
}

down() {
  local t0=$SECONDS pid
  if pid=$(proxy_pid); then kill "$pid" 2>/dev/null || true; fi
  rm -f "$dir/proxy.pid" "$dir/proxy.json"
  for m in "${members[@]}"; do bash "$here/real-node.sh" down "$m" "$(real_index "$m")"; done
  bash "$here/real-postgres.sh" down
  if [ -x "$kwokctl" ]; then
    for c in $(kw get clusters 2>/dev/null || true); do
      log "deleting cluster $c"
      kw delete cluster --name "$c" --kubeconfig "$kubeconfig" >/dev/null 2>&1 || true
    done
  fi
  # Anything kwokctl lost track of in a half-started testbed.
  pkill -f "$KWOK_WORKDIR/clusters/" 2>/dev/null || true
  rm -rf "$dir"
  log "down in $((SECONDS - t0)) s"
}

real_index() { local i=0 m; for m in "${members[@]}"; do i=$((i + 1)); [ "$m" = "$1" ] && echo $i; done; }

is_member() { [[ " ${members[*]} " == *" $1 "* ]] || die "unknown member '$1' (members: ${members[*]})"; }

case ${1:-} in
  up) up ;;
  down) down ;;
  status) kw get clusters; [ -f "$dir/proxy.json" ] && proxy_ctl GET /members && echo ;;
  crash) is_member "$2"; kw stop cluster --name "$2" >/dev/null 2>&1
    # A real node goes down with its site: kubelet, containers, containerd.
    bash "$here/real-node.sh" stop "$2"; log "crashed $2 (cluster stopped)" ;;
  restore) is_member "$2"; kw start cluster --name "$2" --wait 60s >/dev/null 2>&1
    [ -d "$dir/real/$2" ] && bash "$here/real-node.sh" up "$2" "$(real_index "$2")"
    log "restored $2" ;;
  partition) is_member "$2"; proxy_ctl POST "/members/$2/partition" >/dev/null
    # With a real node, the site's own links are cut too (real-node.sh cut).
    [ -d "$dir/real/$2" ] && bash "$here/real-node.sh" cut "$2" "$(real_index "$2")"
    log "partitioned $2" ;;
  heal) is_member "$2"; [ -d "$dir/real/$2" ] && bash "$here/real-node.sh" mend "$2" "$(real_index "$2")"
    proxy_ctl POST "/members/$2/heal" >/dev/null; log "healed $2" ;;
  *) die "usage: testbed.sh up|down|status|crash M|restore M|partition M|heal M" ;;
esac

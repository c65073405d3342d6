#!/usr/bin/env bash
# The same five clusters where a Docker engine runs: hub, cloud-eu and cloud-us
# with kind, the edges with k3d (K3s). The suites address them by context (kind-hub,
# kind-cloud-eu, k3d-edge-a, k3d-edge-b, kind-cloud-us; see e2e/src/testbed/clusters.ts).
# Faults: crash = `docker stop` of the member's nodes; partition = the same
# fault proxy as the local testbed, in front of each member's API port.
#   kind.sh up | down | crash M | restore M | partition M | heal M
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/versions.env"
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
dir=${PAYGRID_TESTBED_DIR:-$cache/testbed}
kind=${KIND:-$cache/tools/kind-$KIND_VERSION/kind}
k3d=${K3D:-k3d}
kubeconfig=$dir/kubeconfig
command -v docker >/dev/null && docker info >/dev/null 2>&1 || { echo "kind.sh: needs a running Docker engine" >&2; exit 1; }
command -v "$k3d" >/dev/null || { echo "kind.sh: needs k3d (https://k3d.io) on PATH or K3D=/path/to/k3d" >&2; exit 1; }
case ${1:-} in
  up)
    mkdir -p "$dir/members" "$dir/logs"
    for c in hub cloud-eu cloud-us; do
      "$kind" get clusters 2>/dev/null | grep -qx "$c" || "$kind" create cluster --config "$repo/e2e/kind/$c.yaml" --kubeconfig "$kubeconfig"
    done
    for e in edge-a edge-b; do
      "$k3d" cluster list "$e" >/dev/null 2>&1 || KUBECONFIG=$kubeconfig "$k3d" cluster create --config "$repo/e2e/kind/$e.yaml" --image "$K3S_IMAGE"
    done
    # The chart suites install the operator Deployment for real here (kind nodes pull images):
    # build the image with Docker and load it into the hub, under the tag the chart defaults to.
    tag=$(sed -n "s/^appVersion: '\(.*\)'$/\1/p" "$repo/charts/paygrid/Chart.yaml")
    docker build -q -f "$repo/operator/Dockerfile" -t "ghcr.io/paygrid/operator:$tag" "$repo" >/dev/null
    "$kind" load docker-image "ghcr.io/paygrid/operator:$tag" --name hub
    for c in cloud-eu cloud-us; do "$kind" get kubeconfig --name "$c" >"$dir/members/$c.direct.kubeconfig"; done
    for e in edge-a edge-b; do "$k3d" kubeconfig get "$e" >"$dir/members/$e.direct.kubeconfig"; done
    node "$repo/e2e/dist/testbed/fault-proxy-main.js" --dir "$dir" >>"$dir/logs/proxy.log" 2>&1 &
    echo $! >"$dir/proxy.pid"
    for _ in $(seq 1 100); do [ -f "$dir/proxy.json" ] && break; sleep 0.1; done
    kubectl --kubeconfig "$kubeconfig" config use-context kind-hub >/dev/null
    for m in cloud-eu edge-a edge-b cloud-us; do node "$repo/e2e/dist/testbed/member-kubeconfig-main.js" --dir "$dir" --member "$m"; done
    ;;
  down)
    [ -f "$dir/proxy.pid" ] && kill "$(cat "$dir/proxy.pid")" 2>/dev/null || true
    for c in hub cloud-eu cloud-us; do "$kind" delete cluster --name "$c" --kubeconfig "$kubeconfig" || true; done
    for e in edge-a edge-b; do "$k3d" cluster delete "$e" || true; done
    rm -rf "$dir"
    ;;
  crash | restore)
    m=${2:?member}; verb=$([ "$1" = crash ] && echo stop || echo start)
    case $m in
      edge-*) docker "$verb" $(docker ps -a --format '{{.Names}}' | grep -E "^k3d-$m-(server|agent)-") ;;
      *) docker "$verb" $(docker ps -a --format '{{.Names}}' | grep -E "^$m-(control-plane|worker)") ;;
    esac >/dev/null
    ;;
  partition | heal)
    port=$(node -p "require('$dir/proxy.json').controlPort")
    curl -fsS -X POST "http://127.0.0.1:$port/members/${2:?member}/$1" >/dev/null
    ;;
  *) echo "usage: kind.sh up|down|crash M|restore M|partition M|heal M" >&2; exit 2 ;;
esac

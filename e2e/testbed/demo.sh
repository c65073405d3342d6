#!/usr/bin/env bash
# `make demo`: the testbed, the CRDs, the members, the operator and the
# example gateway, converging before your eyes. Leaves everything running.
#   demo.sh up | down
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
dir=${PAYGRID_TESTBED_DIR:-$cache/testbed}
export KUBECONFIG=$dir/kubeconfig
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

down() {
  if [ -f "$dir/operator.pid" ]; then kill "$(cat "$dir/operator.pid")" 2>/dev/null || true; rm -f "$dir/operator.pid"; fi
  bash "$here/testbed.sh" down
}

up() {
  say "testbed: five real clusters (hub, cloud-eu, edge-a, edge-b; cloud-us, a spare the demo does not register)"
  if [ "${PAYGRID_REAL_NODES:-}" = 1 ]; then
    # Real pods: a kubelet, containerd and the images (make image-local) on each member.
    bash "$here/build-tools.sh" kubelet
    bash "$here/real-node-deps.sh"
  fi
  bash "$here/testbed.sh" up
  say "CRDs and members (kubeconfig Secrets + examples/edgesite-*.yaml, examples/cloudcluster-cloud-eu.yaml)"
  node "$repo/e2e/dist/harness/install-main.js" crds members
  say "operator (logs: $dir/logs/operator.log)"
  if [ -f "$dir/operator.pid" ] && kill -0 "$(cat "$dir/operator.pid")" 2>/dev/null; then
    echo "already running (pid $(cat "$dir/operator.pid"))"
  else
    node "$repo/operator/dist/main.js" --kubeconfig "$KUBECONFIG" --namespace paygrid-system \
      --leader-elect --metrics-bind-address 127.0.0.1:8080 --health-probe-bind-address 127.0.0.1:8081 --routes-bind-address 127.0.0.1:8082 \
      >>"$dir/logs/operator.log" 2>&1 &
    echo $! >"$dir/operator.pid"
    for _ in $(seq 1 100); do curl -fs http://127.0.0.1:8081/readyz >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fs http://127.0.0.1:8081/readyz >/dev/null || { tail -20 "$dir/logs/operator.log"; echo "operator did not become ready" >&2; exit 1; }
    echo "ready (pid $(cat "$dir/operator.pid")); metrics on http://127.0.0.1:8080/metrics"
  fi
  say "members as the operator sees them"
  kubectl wait --for=condition=Ready es/edge-a es/edge-b cc/cloud-eu --timeout=60s >/dev/null || true
  kubectl get es,cc -o wide
  say "bash examples/create-secrets.sh; kubectl apply -f examples/paymentgateway.yaml"
  local t0; t0=$(date +%s%N)
  node "$repo/e2e/dist/harness/install-main.js" gateway
  for _ in $(seq 1 240); do
    clear 2>/dev/null || true
    kubectl get paygrid -A -o wide
    echo
    for m in cloud-eu edge-a edge-b; do
      echo "-- $m"
      kubectl --context "kwok-$m" get deploy -A -l app.kubernetes.io/managed-by=paygrid 2>/dev/null || echo "(unreachable)"
    done
    if [ "$(kubectl -n payments get pgw checkout -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; then
      echo; echo "checkout is Ready $(( ($(date +%s%N) - t0) / 1000000 )) ms after kubectl apply."
      break
    fi
    sleep 0.5
  done
  kubectl -n payments get pgw checkout -o jsonpath='{range .status.routes[*]}route {.priority}: {.member} {.endpoint}{"\n"}{end}'
  if [ -d "$dir/real" ]; then real_payment; fi
  cat <<TXT

Explore:  export KUBECONFIG=$KUBECONFIG
          kubectl get paygrid -A -o wide
          kubectl -n payments describe pgw checkout
          curl -s http://127.0.0.1:8082/api/v1/namespaces/payments/paymentgateways/checkout/routes
          node operator/dist/cli/kubectl-paygrid.js status -A
          bash e2e/testbed/testbed.sh crash edge-a     # or partition edge-a, then heal/restore
Stop:     make demo-down
TXT
}

# On real nodes: wait for edge-a's authorization pods and print a curl that pays through its endpoint.
real_payment() {
  say "payment services in real containers (PAYGRID_REAL_NODES=1)"
  kubectl --context kwok-edge-a -n payments wait --for=condition=Ready pod -l paygrid.io/component=authorization --timeout=180s >/dev/null \
    || { kubectl --context kwok-edge-a -n payments get pods -o wide; echo "authorization is not Ready on edge-a" >&2; return 1; }
  kubectl --context kwok-cloud-eu -n payments wait --for=condition=Ready pod -l paygrid.io/component=ledger --timeout=180s >/dev/null || true
  for m in edge-a cloud-eu; do kubectl --context "kwok-$m" -n payments get pods -o wide; done
  local endpoint; endpoint=$(kubectl get es edge-a -o jsonpath='{.spec.endpoint}')
  cat <<TXT

Authorize a test payment through edge-a (online: a pending hold in the ledger on cloud-eu):
  curl -sS $endpoint/v1/authorizations -H 'content-type: application/json' \\
    -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" \\
    -d '{"amountMinor":1250,"currency":"EUR","card":{"pan":"4111 1111 1111 1111","expiry":"12/39"},"merchantId":"m-42","terminalId":"t-1"}'
TXT
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  *) echo "usage: demo.sh up|down" >&2; exit 2 ;;
esac

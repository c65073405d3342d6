#!/usr/bin/env bash
# Builds the testbed's binaries from the Go module proxy, once per version,
# into $PAYGRID_CACHE/tools/<name>-<version>/. A second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
tools=$cache/tools
mkdir -p "$tools"
export GOFLAGS=-buildvcs=false CGO_ENABLED=0

log() { printf '[tools] %s\n' "$*" >&2; }
fail() { printf '[tools] FAILED building %s: %s\n' "$1" "$2" >&2; exit 1; }

# built NAME VERSION BIN... -> true when every binary is already cached
built() {
  local dir=$tools/$1-$2; shift 2
  for b in "$@"; do [ -x "$dir/$b" ] || return 1; done
}

# Runs a build step in a scratch dir; on success moves results into place
# atomically so an interrupted build never leaves a half-filled cache entry.
stage() { local d; d=$(mktemp -d "$tools/.build.XXXXXX"); echo "$d"; }
publish() { rm -rf "$2"; mv "$1" "$2"; }

# kube_module DIR CMD... : the wrapper module that builds k8s.io/kubernetes/cmd/CMD at $KUBE_VERSION.
kube_module() {
  local w=$1 name=kubernetes v=$KUBE_VERSION; shift
  local minor=${v#v1.}; local staging="v0.${minor}"
  # k8s.io/kubernetes replaces its staging modules with local paths; read
  # that list from its own go.mod and point each at the published v0.X.Y.
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') \
    || fail $name "cannot download k8s.io/kubernetes@$v from the module proxy"
  {
    echo "module paygrid.local/kubetools"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")"
    echo
    echo "require k8s.io/kubernetes $v"
    echo
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" \
      | awk -v s="$staging" '{print "replace " $1 " => " $1 " " s}'
  } > "$w/go.mod"
  { printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "$@"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
    printf ')\n'; } > "$w/tools.go"
  (cd "$w" && go mod tidy -e >/dev/null 2>"$w/tidy.log" || true
   go get "k8s.io/kubernetes@$v" >/dev/null 2>>"$w/tidy.log") \
    || fail $name "go get failed: $(tail -5 "$w/tidy.log")"
}

# kube_ldflags: the version stamps the release binaries carry.
kube_ldflags() {
  local v=$KUBE_VERSION date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local minor=${v#v1.} ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$ld"
}

build_kube() {
  local name=kubernetes v=$KUBE_VERSION dir=$tools/kubernetes-$KUBE_VERSION
  if built kubernetes "$v" kube-apiserver kube-controller-manager kube-scheduler; then
    log "kubernetes $v: cached"; return; fi
  log "kubernetes $v: building kube-apiserver, kube-controller-manager, kube-scheduler (cold: about 5 min on 2 cores)"
  local t0=$SECONDS w ld; w=$(stage)
  kube_module "$w" kube-apiserver kube-controller-manager kube-scheduler
  ld=$(kube_ldflags)
  mkdir -p "$w/bin"
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    log "kubernetes $v: go build $cmd"
    (cd "$w" && go build -trimpath -tags tools -ldflags "$ld" -o "bin/$cmd" "k8s.io/kubernetes/cmd/$cmd") 2>"$w/build.log" \
      || fail "$cmd" "$(tail -20 "$w/build.log")"
  done
  "$w/bin/kube-apiserver" --version | grep -q "$v" || fail kube-apiserver "--version does not print $v"
  local kubelet=$dir/kubelet
  [ -x "$kubelet" ] && mv "$kubelet" "$w/bin/"   # built on its own (below); keep it
  publish "$w/bin" "$dir"; rm -rf "$w"
  log "kubernetes $v: built in $((SECONDS - t0)) s"
}

# The kubelet of the testbed's real nodes (PAYGRID_REAL_NODES=1), from the same module and version,
# added next to the control-plane binaries; only `testbed.sh up` with real nodes needs it.
build_kubelet() {
  local v=$KUBE_VERSION dir=$tools/kubernetes-$KUBE_VERSION
  if built kubernetes "$v" kubelet; then log "kubelet $v: cached"; return; fi
  log "kubelet $v: building (about 2.5 min warm on 2 cores)"
  local t0=$SECONDS w ld; w=$(stage)
  kube_module "$w" kubelet
  ld=$(kube_ldflags)
  (cd "$w" && go build -trimpath -tags tools -ldflags "$ld" -o kubelet k8s.io/kubernetes/cmd/kubelet) 2>"$w/build.log" \
    || fail kubelet "$(tail -20 "$w/build.log")"
  "$w/kubelet" --version | grep -q "$v" || fail kubelet "--version does not print $v"
  mkdir -p "$dir"; mv "$w/kubelet" "$dir/kubelet"; rm -rf "$w"
  log "kubelet $v: built in $((SECONDS - t0)) s"
}

build_etcd() {
  local v=$ETCD_VERSION dir=$tools/etcd-$ETCD_VERSION
  if built etcd "$v" etcd; then log "etcd $v: cached"; return; fi
  log "etcd $v: building"
  local t0=$SECONDS w; w=$(stage)
  # etcd's own main is a one-liner over etcdmain; the wrapper module lets the
  # proxy resolve server/v3 with its real dependency versions.
  printf 'module paygrid.local/etcd\n\ngo 1.24\n' > "$w/go.mod"
  cat > "$w/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$w" && go get "go.etcd.io/etcd/server/v3@$v" && go mod tidy) >"$w/get.log" 2>&1 \
    || fail etcd "$(tail -10 "$w/get.log")"
  mkdir -p "$w/bin"
  (cd "$w" && go build -trimpath -ldflags "-s -w" -o bin/etcd .) 2>"$w/build.log" || fail etcd "$(tail -20 "$w/build.log")"
  publish "$w/bin" "$dir"; rm -rf "$w"
  log "etcd $v: built in $((SECONDS - t0)) s"
}

# go_install NAME VERSION MODULE@VERSION PKG... : plain `go install` for tools
# whose go.mod has no local replaces.
go_install() {
  local name=$1 v=$2; shift 2
  local dir=$tools/$name-$v bins=()
  for p in "$@"; do bins+=("$(basename "${p%@*}")"); done
  if built "$name" "$v" "${bins[@]}"; then log "$name $v: cached"; return; fi
  log "$name $v: go install ${*}"
  local t0=$SECONDS w; w=$(stage)
  GOBIN="$w/bin" go install -trimpath -ldflags "-s -w" "$@" 2>"$w/build.log" || fail "$name" "$(tail -20 "$w/build.log")"
  publish "$w/bin" "$dir"; rm -rf "$w"
  log "$name $v: built in $((SECONDS - t0)) s"
}

# helm with the ldflags its release binaries carry: its own version, and the Kubernetes version
# of the client-go it was built with. Without them helm believes the cluster is v1.20.0 and
# `helm template` refuses any chart with kubeVersion >= 1.21. A cached helm that does not report
# its version (built before this) is rebuilt.
build_helm() {
  local v=$HELM_VERSION dir=$tools/helm-$HELM_VERSION
  if [ -x "$dir/helm" ] && [ "$("$dir/helm" version --template '{{.Version}}' 2>/dev/null)" = "$v" ]; then
    log "helm $v: cached"; return; fi
  log "helm $v: go build with release ldflags"
  local t0=$SECONDS w src client minor; w=$(stage)
  src=$(go mod download -json "helm.sh/helm/v3@$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$src" ] || fail helm "cannot download helm.sh/helm/v3@$v"
  # client-go v0.X.Y is Kubernetes v1.X.Y (helm's Makefile derives it the same way).
  client=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$src/go.mod" | head -1)
  [ -n "$client" ] || fail helm "no k8s.io/client-go in $src/go.mod"
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$v"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ld="$ld -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$client"
  done
  GOBIN="$w/bin" go install -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@$v" 2>"$w/build.log" \
    || fail helm "$(tail -20 "$w/build.log")"
  publish "$w/bin" "$dir"; rm -rf "$w"
  log "helm $v: built in $((SECONDS - t0)) s (Kubernetes v1.$client by default)"
}

# The CRDs of the projects the chart's optional objects belong to (Prometheus Operator's
# ServiceMonitor, cert-manager's Certificate and Issuer), so the e2e suite can send those objects
# to a real apiserver. Both projects publish their CRDs in their Go modules; files are copied,
# nothing is built.
fetch_crds() {
  local v="prometheus-operator-$PROMETHEUS_OPERATOR_VERSION+cert-manager-$CERT_MANAGER_VERSION"
  local dir=$tools/thirdparty-crds-$v
  if [ -s "$dir/monitoring.coreos.com_servicemonitors.yaml" ] && [ -s "$dir/cert-manager.io_certificates.yaml" ]; then
    log "third-party CRDs $v: cached"; return; fi
  log "third-party CRDs $v: from the Go module proxy"
  local w src; w=$(stage)
  src=$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$src" ] || fail crds "cannot download github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION"
  cp "$src/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$w/" || fail crds "no ServiceMonitor CRD in $src"
  src=$(go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$src" ] || fail crds "cannot download github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"
  for f in certificates issuers clusterissuers; do
    cp "$src/deploy/crds/cert-manager.io_$f.yaml" "$w/" || fail crds "no $f CRD in $src"
  done
  chmod 0644 "$w"/*.yaml
  publish "$w" "$dir"
}

want=${*:-kwok etcd helm kind kubernetes crds}
t=$SECONDS
for tool in $want; do
  case $tool in
    kubernetes) build_kube ;;
    kubelet) build_kubelet ;;
    etcd) build_etcd ;;
    kwok) go_install kwok "$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" ;;
    helm) build_helm ;;
    kind) go_install kind "$KIND_VERSION" "sigs.k8s.io/kind@$KIND_VERSION" ;;
    crds) fetch_crds ;;
    *) fail "$tool" "unknown tool (known: kubernetes kubelet etcd kwok helm kind crds)" ;;
  esac
done
log "all tools ready in $((SECONDS - t)) s under $tools"

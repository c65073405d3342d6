#!/usr/bin/env bash
# Builds the Karmada binaries the peer benchmark (make bench-karmada) runs, from the Go module
# proxy at KARMADA_VERSION, into $PAYGRID_CACHE/tools/karmada-<version>/. A second run only checks.
# Karmada's CRDs are not copied: the bench applies them from the module cache (go mod download).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
tools=$cache/tools
mkdir -p "$tools"
export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
v=$KARMADA_VERSION mod=github.com/karmada-io/karmada dir=$tools/karmada-$KARMADA_VERSION
# The cluster.karmada.io API (Cluster objects) is served by the aggregated apiserver, not a CRD;
# the webhook sets the permanent ids that tie policies, bindings and works together.
cmds=(controller-manager scheduler aggregated-apiserver webhook)

log() { printf '[karmada] %s\n' "$*" >&2; }
fail() { printf '[karmada] FAILED: %s\n' "$*" >&2; exit 1; }

ok=1
for c in "${cmds[@]}"; do [ -x "$dir/karmada-$c" ] || ok=0; done
if [ $ok = 1 ]; then log "karmada $v: cached in $dir"; exit 0; fi

log "karmada $v: building ${cmds[*]} (cold: several minutes on 2 cores)"
t0=$SECONDS
w=$(mktemp -d "$tools/.build.XXXXXX")
trap 'rm -rf "$w"' EXIT
gomod=$(go mod download -json "$mod@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') \
  || fail "cannot download $mod@$v from the module proxy"
# A wrapper module requiring Karmada at the pinned version; Karmada's go.mod has no local
# replaces, so its own requirements resolve as they are.
{
  echo "module paygrid.local/karmadatools"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")"
  echo
  echo "require $mod $v"
} > "$w/go.mod"
{ printf '//go:build tools\n\npackage tools\n\nimport (\n'
  for c in "${cmds[@]}"; do printf '\t_ "%s/cmd/%s"\n' "$mod" "$c"; done
  printf ')\n'; } > "$w/tools.go"
(cd "$w" && go mod tidy >"$w/tidy.log" 2>&1) || fail "go mod tidy: $(tail -5 "$w/tidy.log")"
# The version stamp Karmada's release binaries carry (hack/util.sh version_ldflags).
ld="-s -w -X $mod/pkg/version.gitVersion=$v -X $mod/pkg/version.gitTreeState=clean -X $mod/pkg/version.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
mkdir -p "$w/bin"
for c in "${cmds[@]}"; do
  log "karmada $v: go build $c"
  (cd "$w" && go build -trimpath -tags tools -ldflags "$ld" -o "bin/karmada-$c" "$mod/cmd/$c") 2>"$w/build.log" \
    || fail "$c: $(tail -20 "$w/build.log")"
done
"$w/bin/karmada-controller-manager" version 2>&1 | grep -q "GitVersion:\"$v\"" || fail "karmada-controller-manager version does not say $v"
rm -rf "$dir"; mv "$w/bin" "$dir"
log "karmada $v: built in $((SECONDS - t0)) s into $dir"

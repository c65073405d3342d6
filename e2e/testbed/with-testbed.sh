#!/usr/bin/env bash
# Runs a command with the testbed up, and always tears it down afterwards
# (PAYGRID_KEEP_TESTBED=1 keeps it for debugging). E2E_PROVIDER=kind uses
# kind + k3d instead of the local kwokctl testbed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tb=$here/testbed.sh
[ "${E2E_PROVIDER:-}" = kind ] && tb=$here/kind.sh
bash "$tb" down >/dev/null 2>&1 || true
if ! bash "$tb" up; then
  bash "$tb" down || true
  exit 1
fi
# The shared baseline every suite expects: CRDs, the operator namespace with
# the member kubeconfig Secrets, and the example EdgeSites/CloudCluster. Suites
# add and remove only their own objects on top.
repo=$(cd "$here/../.." && pwd)
if ! node "$repo/e2e/dist/harness/install-main.js" crds members; then
  bash "$tb" down || true
  exit 1
fi
"$@"; rc=$?
if [ "${PAYGRID_KEEP_TESTBED:-}" != 1 ]; then bash "$tb" down || true; fi
exit $rc

#!/usr/bin/env bash
# The three Secrets examples/paymentgateway.yaml names, in its namespace on the hub; the operator
# copies each key to the members that run the component. Run after examples/namespace.yaml:
#
#   LEDGER_DATABASE_URL='postgres://ledger:PASSWORD@db.eu.example.com:5432/ledger' \
#   ANALYTICS_DATABASE_URL='postgres://analytics:PASSWORD@db.eu.example.com:5432/analytics' \
#     bash examples/create-secrets.sh
#
# The tokenization key is generated here (32 random bytes, hex) unless TOKENIZATION_KEY is set:
# every site must use the same key, so keep it (a new key gives every card a new token). An
# existing Secret is left as it is, so running this again never rotates a key by accident.
set -euo pipefail
NS=${NAMESPACE:-payments}
: "${LEDGER_DATABASE_URL:?set LEDGER_DATABASE_URL to the ledger database (postgres://user:password@host:5432/db)}"
: "${ANALYTICS_DATABASE_URL:?set ANALYTICS_DATABASE_URL to the analytics database (postgres://user:password@host:5432/db)}"
key=${TOKENIZATION_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
# KUBE_CONTEXT: the hub's context, when it is not the current one.
kubectl() { command kubectl ${KUBE_CONTEXT:+--context "$KUBE_CONTEXT"} "$@"; }

create() { # name key value
  if kubectl -n "$NS" get secret "$1" >/dev/null 2>&1; then
    echo "secret $NS/$1 exists: left as it is"
    return
  fi
  # From stdin, so the value is never on a command line (ps) or in the shell's history.
  printf '%s' "$3" | kubectl -n "$NS" create secret generic "$1" --from-file="$2"=/dev/stdin >/dev/null
  kubectl -n "$NS" label secret "$1" app.kubernetes.io/part-of=paygrid >/dev/null
  echo "secret $NS/$1 created"
}
create checkout-tokenization key "$key"
create checkout-ledger-database url "$LEDGER_DATABASE_URL"
create checkout-analytics-database url "$ANALYTICS_DATABASE_URL"

#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when its binaries are missing (as root, with apt), so that
# `make test-workloads` runs on a new machine. Elsewhere it names the package to install.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[postgres] installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package starts a cluster of its own on 5432; the tests never use it.
  exit 0
fi
echo "[postgres] PostgreSQL server binaries not found: install the 'postgresql' package (initdb, pg_ctl)" >&2
exit 1

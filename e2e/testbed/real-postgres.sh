#!/usr/bin/env bash
# The ledger's and analytics' PostgreSQL on the real-node testbed: an external database, as a
# managed one would be, started on the host (Debian PostgreSQL, initdb/pg_ctl in a /tmp dir of
# its own, keyed by the testbed dir) and listening on cloud-eu's node address, so the pods of cloud-eu's real node reach it.
# Every real node's pods do (pg_hba allows 10.88.0.0/16; the host routes 10.88.1.1 locally), also
# while cloud-eu is crashed: real-node.sh stop leaves its bridge and address (checked from cloud-us).
#
#   real-postgres.sh up ADDRESS   writes $dir/postgres/urls.env (LEDGER_/ANALYTICS_DATABASE_URL)
#                                 and $dir/postgres/socket-dir (the admin's socket directory)
#   real-postgres.sh down
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}
dir=${PAYGRID_TESTBED_DIR:-$cache/testbed}
# The URLs stay in the testbed dir; the server's own files (data, socket, logs) go where the
# postgres user can reach them: the testbed dir is under root's private home by default.
out=$dir/postgres
pg=/tmp/paygrid-real-pg-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
port=5432
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)

up() {
  local addr=$1 bin
  bash "$here/../../workloads/scripts/install-postgres.sh"
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -f "$pg/data/postmaster.pid" ] && "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" status >/dev/null 2>&1; then return 0; fi
  mkdir -p "$pg" "$out"
  chmod 700 "$pg"
  [ "$(id -u)" = 0 ] && chown postgres "$pg"
  if [ ! -d "$pg/data" ]; then
    "${as_pg[@]}" "$bin/initdb" -D "$pg/data" -U paygrid --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$pg/initdb.log" 2>&1 || { cat "$pg/initdb.log" >&2; exit 1; }
    # Pods reach it from the real nodes' subnets, with passwords; the admin only over the socket.
    echo "host all all 10.88.0.0/16 scram-sha-256" | "${as_pg[@]}" tee -a "$pg/data/pg_hba.conf" >/dev/null
  fi
  "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
    -o "-p $port -k $pg -c listen_addresses=$addr -c max_connections=100" start >/dev/null \
    || { tail -20 "$pg/server.log" >&2; exit 1; }
  # Where the admin reaches it over the socket (e2e/src/testbed/real-nodes.ts realDatabaseSocketDir).
  echo "$pg" >"$out/socket-dir"
  local urls=$out/urls.env
  if [ ! -s "$urls" ]; then
    local sql="" u pw
    : >"$urls.tmp"; chmod 600 "$urls.tmp"
    for u in ledger analytics; do
      pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
      sql+="CREATE ROLE $u LOGIN PASSWORD '$pw'; CREATE DATABASE $u OWNER $u;"
      echo "${u^^}_DATABASE_URL=postgres://$u:$pw@$addr:$port/$u" >>"$urls.tmp"
    done
    # From stdin: the passwords never reach a command line.
    printf '%s' "$sql" | "${as_pg[@]}" "$bin/psql" -q -h "$pg" -p "$port" -U paygrid -d postgres -v ON_ERROR_STOP=1 -f - >/dev/null
    mv "$urls.tmp" "$urls"
  fi
  echo "[real-postgres] $("$bin/postgres" --version) on $addr:$port (URLs in $urls)" >&2
}

down() {
  rm -rf "$out"
  [ -d "$pg/data" ] || { rm -rf "$pg"; return 0; }
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  "${as_pg[@]}" "$bin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg"
}

case ${1:-} in
  up) up "$2" ;;
  down) down ;;
  *) echo "usage: real-postgres.sh up ADDRESS | down" >&2; exit 2 ;;
esac

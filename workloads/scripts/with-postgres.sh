#!/usr/bin/env bash
# Runs a command beside a real PostgreSQL of its own: initdb in a temporary directory, pg_ctl start
# on a free loopback port and a private socket directory, the command with
# PAYGRID_TEST_DATABASE_URL (an admin URL; tests create their own databases), then stop and
# remove everything, whatever the command did. As root, the server runs as the `postgres` user
# (initdb refuses root).
#
#   bash workloads/scripts/with-postgres.sh npx jest --selectProjects workloads
set -euo pipefail
bash "$(dirname "$0")/install-postgres.sh"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/paygrid-pg.XXXXXX)
port=${PAYGRID_PG_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
stop() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U paygrid --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Durable as in production (fsync, synchronous_commit on): the benchmarks and the crash tests
# measure the real thing. max_connections leaves room for the concurrent-client tests.
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
export PAYGRID_TEST_DATABASE_URL="postgres://paygrid@127.0.0.1:$port/postgres"
echo "[postgres] $("$bin/postgres" --version) on 127.0.0.1:$port ($dir)" >&2
set +e
"$@"
rc=$?
set -e
[ $rc = 0 ] || tail -n 30 "$dir/server.log" >&2
exit $rc

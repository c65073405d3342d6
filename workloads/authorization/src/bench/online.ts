// Benchmark: the online path, authorization → ledger → PostgreSQL. The ledger and the
// authorization service run as their own processes; every authorization is a pending hold
// booked in PostgreSQL (the ledger group-commits) before the answer. Target on 2 cores:
// ≥ 3,000 approvals/s at p99 ≤ 25 ms.
//
//   PAYGRID_BENCH_DATABASE_URL=postgres://...   a database to use (its ledger tables are created), or
//   PAYGRID_TEST_DATABASE_URL=postgres://...    an admin URL: a fresh database is made and dropped
//   (bash workloads/scripts/with-postgres.sh sets the latter)
//   node workloads/authorization/dist/bench/online.js [durationSeconds] [connections]
import { createTestDatabase, type TestDatabase } from '@paygrid/workload-kit/testing';
import { startAuthorization, startLedger } from '../test-support/processes.js';
import { cpuMs, cpuPerRequestLine, drive, histogramMean, httpFloor, ratioLine, report } from './load.js';

const durationSeconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 64);

let db: TestDatabase | undefined;
let url = process.env.PAYGRID_BENCH_DATABASE_URL;
if (!url) {
  if (!process.env.PAYGRID_TEST_DATABASE_URL) {
    console.error(
      'set PAYGRID_BENCH_DATABASE_URL or PAYGRID_TEST_DATABASE_URL (bash workloads/scripts/with-postgres.sh ...)',
    );
    process.exit(2);
  }
  db = await createTestDatabase('bench_online');
  url = db.url;
}
const ledger = await startLedger(url);
const authz = await startAuthorization(
  { 'ledger-endpoint': ledger.url },
  { PAYGRID_LOG_LEVEL: 'warn', PAYGRID_LEDGER_TIMEOUT_MS: process.env.PAYGRID_LEDGER_TIMEOUT_MS ?? '250' },
);
try {
  await drive(authz.service.url, { connections, durationSeconds: 2 }); // warm-up
  const pids = [authz.service.pid, ledger.pid];
  const cpuBefore = pids.map(cpuMs);
  const result = await drive(authz.service.url, { connections, durationSeconds });
  const cpuUsed = pids.map((pid, i) => {
    const [after, before] = [cpuMs(pid), cpuBefore[i]];
    return after !== undefined && before !== undefined ? after - before : undefined;
  });
  process.stdout.write(
    report(
      `authorization online → ledger → PostgreSQL (${connections} connections, ${durationSeconds} s)`,
      result,
      {
        rps: 3000,
        p99Ms: 25,
      },
    ),
  );
  process.stdout.write(cpuPerRequestLine('authorization', cpuUsed[0], result['2xx']));
  process.stdout.write(cpuPerRequestLine('ledger', cpuUsed[1], result['2xx']));
  process.stdout.write(ratioLine('online', result, await httpFloor({ connections, durationSeconds })));
  const metrics = await (await fetch(`${authz.service.url}/metrics`)).text();
  const standIn =
    /paygrid_authorization_requests_total\{outcome="approved_stand_in"[^}]*\} (\d+)/.exec(metrics)?.[1] ??
    '0';
  const online =
    /paygrid_authorization_requests_total\{outcome="approved_online"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? '0';
  process.stdout.write(
    `approved online ${online}, stand-in ${standIn} (stand-in = the ledger missed the deadline)\n`,
  );
  // Where a request waits: the ledger's PostgreSQL transaction and the site's journal commit.
  const ledgerMetrics = await (await fetch(`${ledger.url}/metrics`)).text();
  const batch = histogramMean(ledgerMetrics, 'paygrid_ledger_batch_size');
  const commit = histogramMean(ledgerMetrics, 'paygrid_ledger_commit_duration_seconds');
  const journal = histogramMean(metrics, 'paygrid_authorization_journal_batch_size');
  if (batch && commit && journal)
    process.stdout.write(
      `ledger: ${commit.count} transactions, ${batch.mean.toFixed(1)} transfers each, ${(commit.mean * 1000).toFixed(1)} ms each (mean); ` +
        `site journal: ${journal.count} commits, ${journal.mean.toFixed(1)} writes each\n`,
    );
} finally {
  await authz.service.stop('SIGTERM');
  await ledger.stop('SIGTERM');
  authz.volume.remove();
  ledger.volume.remove();
  await db?.drop();
}

// `make bench-workloads`, ledger part: transfers per second into PostgreSQL, two ways, on the same
// database server in the same run:
//   naive   — one transaction per transfer straight into the same schema (triggers and all), from
//             a pool of connections: what a ledger without group commit does;
//   ledger  — the ledger service over HTTP (keep-alive), which groups concurrent requests into one
//             transaction per batch.
// Each is run RUNS times; the table gives the median run and its p50/p99 latency, and the ratio.
// Settings: PAYGRID_BENCH_DATABASE_URL (admin URL; with-postgres.sh sets PAYGRID_TEST_DATABASE_URL),
// BENCH_SECONDS (default 5), BENCH_RUNS (3), BENCH_CONCURRENCY (64).
import { Agent, request } from 'node:http';
import pg from 'pg';
import { createTestDatabase } from '@paygrid/workload-kit/testing';
import { migrate } from '../migrate.js';
import { ContractDir, ledgerContract, startLedger } from '../test-support/ledger-process.js';
import { closedLoop, machine, median, type RunFigures } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const MAX_OPS = 1_000_000;
const CARDS = 1000;
const MERCHANTS = 50;

const transfer = (run: string, n: number) => ({
  id: `${run}-${n}`,
  type: 'single',
  debitAccountId: `card:bench-${n % CARDS}`,
  creditAccountId: `merchant:bench-${n % MERCHANTS}`,
  amountMinor: 1 + (n % 9999),
  currency: 'EUR',
});

async function seedAccounts(pool: pg.Pool): Promise<void> {
  const ids = [
    ...Array.from({ length: CARDS }, (_, i) => `card:bench-${i}`),
    ...Array.from({ length: MERCHANTS }, (_, i) => `merchant:bench-${i}`),
  ];
  await pool.query(
    "INSERT INTO accounts (id, currency) SELECT unnest($1::text[]), 'EUR' ON CONFLICT DO NOTHING",
    [ids],
  );
}

/** What accumulates between runs: dead row versions, HOT updates, sizes, the oldest snapshot. */
async function tableState(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT relname, seq_scan, seq_tup_read, idx_scan, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, autovacuum_count, autoanalyze_count,
       pg_relation_size(relid) AS heap, pg_indexes_size(relid) AS idx
     FROM pg_stat_user_tables WHERE relname IN ('accounts', 'transfers') ORDER BY relname`,
  );
  const act = await pool.query<Record<string, string>>(
    `SELECT count(*) FILTER (WHERE backend_xmin IS NOT NULL) AS xmin_holders,
       max(age(backend_xmin)) AS oldest_xmin_age, string_agg(DISTINCT state, ',') AS states
     FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return JSON.stringify({ tables: rows, activity: act.rows[0] });
}

async function naive(url: string, run: string): Promise<RunFigures> {
  const pool = new pg.Pool({ connectionString: url, max: Math.min(CONCURRENCY, 32) });
  try {
    return await closedLoop(Math.min(CONCURRENCY, 32), SECONDS, MAX_OPS, async (n) => {
      const t = transfer(run, n);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, state, epoch, member, fingerprint)
           VALUES ($1, 'single', $2, $3, $4, 'EUR', 'posted', 1, 'bench', 'naive')`,
          [t.id, t.debitAccountId, t.creditAccountId, t.amountMinor],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.end();
  }
}

function post(agent: Agent, base: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      base,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'paygrid-epoch': '3',
          'paygrid-member': 'bench',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function overHttp(ledgerUrl: string, run: string): Promise<RunFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL('/v1/transfers', ledgerUrl);
  let failures = 0;
  try {
    const figures = await closedLoop(CONCURRENCY, SECONDS, MAX_OPS, async (n) => {
      const status = await post(agent, target, JSON.stringify(transfer(run, n)));
      if (status !== 201) failures++;
    });
    if (failures > 0) throw new Error(`${failures} transfers were not booked`);
    return figures;
  } finally {
    agent.destroy();
  }
}

function row(name: string, runs: RunFigures[]): { line: string; perSecond: number } {
  const best = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)] as RunFigures;
  const perSecond = median(runs.map((r) => r.perSecond));
  return {
    perSecond,
    line: `| ${name} | ${Math.round(perSecond)} | ${runs.map((r) => Math.round(r.perSecond)).join(' / ')} | ${best.p50Ms.toFixed(2)} | ${best.p99Ms.toFixed(2)} |`,
  };
}

async function main(): Promise<void> {
  if (!process.env.PAYGRID_TEST_DATABASE_URL && process.env.PAYGRID_BENCH_DATABASE_URL)
    process.env.PAYGRID_TEST_DATABASE_URL = process.env.PAYGRID_BENCH_DATABASE_URL;
  const naiveDb = await createTestDatabase('bench_naive');
  const ledgerDb = await createTestDatabase('bench_ledger');
  const naivePool = new pg.Pool({ connectionString: naiveDb.url, max: 2 });
  const ledgerPool = new pg.Pool({ connectionString: ledgerDb.url, max: 2 });
  const ledger = await startLedger(ledgerDb.url, new ContractDir(ledgerContract({ epoch: '3' })));
  try {
    await migrate(naivePool);
    await seedAccounts(naivePool);
    await seedAccounts(ledgerPool);
    const naiveRuns: RunFigures[] = [];
    const ledgerRuns: RunFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      naiveRuns.push(await naive(naiveDb.url, `naive${i}`));
      ledgerRuns.push(await overHttp(ledger.url, `gc${i}`));
      console.log(
        `after run ${i}: naive ${await tableState(naivePool)}; ledger ${await tableState(ledgerPool)}`,
      );
    }
    const n = row('naive: one transaction per transfer (PostgreSQL, pool of 32)', naiveRuns);
    const g = row(`ledger service: HTTP + group commit (${CONCURRENCY} clients)`, ledgerRuns);
    const { rows } = await ledgerPool.query<{ avg: string }>(
      "SELECT round(avg(n), 1) AS avg FROM (SELECT count(*) AS n FROM transfers GROUP BY date_trunc('milliseconds', created_at)) b",
    );
    console.log(`\nLedger throughput, ${SECONDS} s × ${RUNS} runs each [${machine()}]\n`);
    console.log('| path | transfers/s (median) | runs | p50 ms | p99 ms |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(n.line);
    console.log(g.line);
    console.log(
      `\nratio ledger / naive: ${(g.perSecond / n.perSecond).toFixed(2)}×; target ledger ≥ 5000/s: ${g.perSecond >= 5000 ? 'met' : 'MISSED'}; ` +
        `transfers per commit (mean): ${rows[0]?.avg ?? '?'}`,
    );
  } finally {
    await ledger.stop();
    await naivePool.end();
    await ledgerPool.end();
    await naiveDb.drop();
    await ledgerDb.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

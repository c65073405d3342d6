// The payments benchmark (issue 12, "Benchmark"), run beside a real PostgreSQL as
//   BENCH_RATES=50,100,200,400 BENCH_SECONDS=20 bash workloads/scripts/with-postgres.sh \
//     node e2e/dist/bench/payments-bench.js                      (make bench-payments)
// For each total rate, twice — without faults, then with one site crash — a fresh world of the
// money test's real parts: its own database, the ledger process, two authorization sites (edge-a
// serving, edge-b next) and the operator's routes API, with the terminal fleet paying through it.
// The crash: edge-a SIGKILLed a third into the step, the routes failed over to edge-b (epoch 4,
// edge-b the FailoverTarget replacing edge-a) BENCH_FAILOVER_AFTER_MS later, edge-a restarted two
// thirds in. Each step ends with the money reconciliation against the ledger's tables.
// The sites are processes on this machine, not pods: everything shares its cores.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestDatabase, queryText, type ServiceProcess } from '@paygrid/workload-kit/testing';
import { Fleet } from '../terminal/fleet.js';
import { readJournalBacklog, readLedger } from '../terminal/ledger-snapshot.js';
import { formatReport, reconcile } from '../terminal/reconcile.js';
import { readResultFile } from '../terminal/results.js';
import { RoutesSource } from '../terminal/routes-source.js';
import { startAuthorizationSite, startLedgerProcess, type AuthorizationSite } from '../terminal/services.js';
import {
  formatTable,
  headline,
  parseBenchOptions,
  splitRate,
  stepRow,
  type BenchOptions,
  type Fault,
  type StepRow,
} from './payments-figures.js';
import { machine } from './stats.js';

const log = (s: string): void => void process.stdout.write(s + '\n');
// The machine is shared: its load, printed with each step, says how much of it the step had.
const load = (): string =>
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}`;
const at = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

async function step(o: BenchOptions, rate: number, fault: Fault, seed: number): Promise<StepRow> {
  const dir = mkdtempSync(join(tmpdir(), 'paygrid-bench-pay-'));
  const db = await createTestDatabase('bench_payments');
  const services: ServiceProcess[] = [];
  const routes = new RoutesSource('payments', 'checkout');
  try {
    const ledger = await startLedgerProcess(db.url, dir);
    services.push(ledger);
    const sites: AuthorizationSite[] = await Promise.all([
      startAuthorizationSite('edge-a', ledger.url, dir),
      startAuthorizationSite('edge-b', ledger.url, dir),
    ]);
    const [a, b] = sites as [AuthorizationSite, AuthorizationSite];
    services.push(a.service, b.service);
    const routesUrl = await routes.listen();
    routes.publish(3, [
      { member: 'edge-a', endpoint: a.service.url },
      { member: 'edge-b', endpoint: b.service.url },
    ]);

    const { terminals, ratePerSecond } = splitRate(rate, o.terminalRate);
    const durationMs = o.seconds * 1000;
    const resultFile = join(dir, 'fleet.jsonl');
    const fleet = new Fleet({
      routesUrl,
      namespace: 'payments',
      name: 'checkout',
      terminals,
      ratePerSecond,
      maxPayments: Math.ceil(ratePerSecond * o.seconds) + 1,
      durationMs,
      resultFile,
      seed,
      runId: `bench-${seed}-${Date.now().toString(36)}`,
    });
    const startMs = Date.now();
    const running = fleet.run();

    let crash: { fromMs: number; toMs: number } | undefined;
    if (fault === 'site crash') {
      await at(startMs + durationMs / 3);
      const fromMs = Date.now();
      await a.service.stop('SIGKILL');
      await at(fromMs + o.failoverAfterMs);
      b.contract.write({ epoch: '4', role: 'FailoverTarget', 'replaced-member': 'edge-a' });
      routes.publish(4, [{ member: 'edge-b', endpoint: b.service.url }]);
      await at(Math.max(startMs + (2 * durationMs) / 3, Date.now()));
      a.service.start();
      await a.service.waitReady();
      crash = { fromMs, toMs: Date.now() };
    }
    await running;

    // Every journal forwarded to the ledger before the books are read, bounded in time.
    const journals = () => sites.map((s) => readJournalBacklog(s.journalDir, s.member));
    const deadline = Date.now() + 30_000;
    while (journals().some((j) => j.queued > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    const records = readResultFile(resultFile);
    const report = reconcile({ records, ...(await readLedger(db.url)), journals: journals() });
    const texts = [...services.map((s) => s.logs()), readFileSync(resultFile, 'utf8')];
    const leaked = fleet.pans().filter((pan) => texts.some((t) => t.includes(pan))).length;
    const row = stepRow(
      { rate, fault, terminals, seconds: o.seconds, ...(crash ? { crash } : {}) },
      records,
      report,
    );
    log(
      `\n== ${rate} payments/s, ${fault === 'none' ? 'no fault' : 'site crash'}: ${terminals} terminals (${load()} at the end)`,
    );
    log(formatReport(report));
    if (leaked > 0) throw new Error(`${leaked} test PAN(s) found in a service log or the result file`);
    return row;
  } finally {
    await routes.close();
    await Promise.all(services.map((s) => s.stop()));
    await db.drop();
    for (const s of services) rmSync(dirname(s.logFile), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseBenchOptions(process.env);
  const probe = await createTestDatabase('bench_payments_version');
  const pg = await queryText(probe.url, 'SHOW server_version');
  await probe.drop();
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  log(
    `payments benchmark: rates ${o.rates.join(', ')} payments/s, ${o.seconds} s per step, ${o.terminalRate}/s per terminal`,
  );
  log(`machine: ${machine()}; Node ${process.version}; PostgreSQL ${pg}; ${load()} at the start`);
  log(
    `The sites here are processes on this machine, not pods: the ledger, edge-a, edge-b, the routes API, ` +
      `the terminals and PostgreSQL all share these ${nproc} CPUs. Real pods on the testbed come later.`,
  );
  const rows: StepRow[] = [];
  let seed = 1;
  for (const rate of o.rates)
    for (const fault of ['none', 'site crash'] as const) rows.push(await step(o, rate, fault, seed++));
  log('\n' + formatTable(rows));
  const h = headline(rows);
  if (h) log(`\n${h}`);
  log(
    `(sites are processes on this machine, not pods; ${machine()}; crash: edge-a SIGKILLed at 1/3 of the step, ` +
      `routes to edge-b ${o.failoverAfterMs} ms later, edge-a restarted at 2/3)`,
  );
  if (rows.some((r) => r.violations > 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`payments benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});

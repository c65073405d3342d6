// The payments benchmark on real pods (make bench-payments-real): the fault matrix's world — the
// operator as a process, one gateway with authorization on edge-a's real node (edge-b its
// failover target), the ledger and analytics on cloud-eu's, the testbed's PostgreSQL — and the
// terminal fleet paying through the operator's routes API. For each total rate, twice: without
// faults, then with edge-a's whole site crashed a third into the step (apiserver, kubelet,
// containers: the operator detects it and fails over for real) and restored after it. Each step
// ends with the money reconciliation (stand-in limits included). Run beside the testbed:
//   BENCH_RATES=16,32,64 BENCH_SECONDS=30 PAYGRID_REAL_NODES=1 bash e2e/testbed/with-testbed.sh \
//     node e2e/dist/bench/payments-real-bench.js
import { loadavg } from 'node:os';
import { Matrix } from '../fault-matrix/matrix.js';
import { crashSite, restoreSite, type Member } from '../fault-matrix/real-site.js';
import { formatReport } from '../terminal/reconcile.js';
import {
  BenchOptionError,
  formatTable,
  headline,
  parseBenchOptions,
  splitRate,
  stepRow,
  type Fault,
  type StepRow,
} from './payments-figures.js';
import { machine } from './stats.js';

const log = (s: string): void => void process.stdout.write(s + '\n');
const sleepUntil = (ms: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));
const load = (): string =>
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}`;

async function step(matrix: Matrix, rate: number, fault: Fault, seconds: number, terminalRate: number) {
  const site: Member = await matrix.servingSite();
  const { terminals, ratePerSecond } = splitRate(rate, terminalRate);
  const fleet = matrix.startFleet(`bench-${rate}-${fault === 'none' ? 'steady' : 'crash'}`, {
    terminals,
    rate: ratePerSecond,
  });
  const t0 = Date.now();
  let crash: { fromMs: number; toMs: number } | undefined;
  if (fault === 'site crash') {
    await sleepUntil(t0 + (seconds * 1000) / 3);
    const fromMs = Date.now();
    await crashSite(site);
    await sleepUntil(t0 + seconds * 1000);
    crash = { fromMs, toMs: Date.now() };
  } else {
    await sleepUntil(t0 + seconds * 1000);
  }
  await fleet.stop();
  if (fault === 'site crash') {
    await restoreSite(site);
    await matrix.fenced(site);
    await matrix.siteReady(site);
  }
  const records = fleet.records();
  const report = await matrix.reconcile([fleet.spec.resultFile]);
  log(`[bench-payments-real] ${rate}/s, ${fault}, served by ${site}; ${load()}\n${formatReport(report)}`);
  return stepRow({ rate, fault, terminals, seconds, ...(crash ? { crash } : {}) }, records, report);
}

async function main(): Promise<void> {
  const options = parseBenchOptions({
    BENCH_RATES: '16,32,64',
    BENCH_SECONDS: '30',
    BENCH_TERMINAL_RATE: '4',
    ...process.env,
  });
  log(
    `[bench-payments-real] ${machine()}; rates ${options.rates.join(', ')}/s, ${options.seconds} s per step`,
  );
  const matrix = new Matrix('bench');
  const rows: StepRow[] = [];
  try {
    await matrix.setUp();
    log(`[bench-payments-real] gateway serving from ${await matrix.servingSite()}`);
    for (const rate of options.rates)
      for (const fault of ['none', 'site crash'] as const)
        rows.push(await step(matrix, rate, fault, options.seconds, options.terminalRate));
  } finally {
    await matrix.afterCase();
    await matrix.tearDown().catch((err: Error) => log(`[bench-payments-real] teardown: ${err.message}`));
  }
  log(formatTable(rows));
  const h = headline(rows);
  if (h) log(`\n${h} (real pods on the testbed; ${machine()})`);
  if (rows.some((r) => r.lost > 0 || r.doubled > 0 || r.violations > 0)) process.exitCode = 1;
}

main().catch((err: Error) => {
  process.stderr.write(`${err instanceof BenchOptionError ? '' : (err.stack ?? '')}\n${err.message}\n`);
  process.exitCode = 1;
});

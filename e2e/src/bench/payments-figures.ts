// The payments benchmark's pure parts: its settings from the environment (a bad one is an error
// naming the variable), how a total rate is split over terminals, the figures of one step from the
// terminals' result records, and the table and headline it prints. The processes are
// payments-bench.ts.
import type { ReconcileReport } from '../terminal/reconcile.js';
import type { ResultRecord } from '../terminal/results.js';

export interface BenchOptions {
  /** Total payments per second of the fleet, one step each, in this order. */
  readonly rates: readonly number[];
  /** Length of each step: no payment starts after it. */
  readonly seconds: number;
  /** Payments per second of one terminal; the fleet has rate / this many terminals. */
  readonly terminalRate: number;
  /** Site crash → routes failed over to edge-b (the operator's detection and replacement). */
  readonly failoverAfterMs: number;
}

export class BenchOptionError extends Error {}

const MAX_RATE = 2000;

export function parseBenchOptions(env: Readonly<Record<string, string | undefined>>): BenchOptions {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min || v > max)
      throw new BenchOptionError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    return v;
  };
  const rawRates = env.BENCH_RATES ?? '';
  const rates = (rawRates === '' ? '50,100,200,400' : rawRates).split(',').map((s) => s.trim());
  for (const r of rates)
    if (!/^\d+$/.test(r) || Number(r) < 1 || Number(r) > MAX_RATE)
      throw new BenchOptionError(
        `BENCH_RATES must be a comma-separated list of integers between 1 and ${MAX_RATE} (payments/s), got "${rawRates}"`,
      );
  return {
    rates: rates.map(Number),
    seconds: int('BENCH_SECONDS', 20, 6, 600),
    terminalRate: int('BENCH_TERMINAL_RATE', 5, 1, 100),
    failoverAfterMs: int('BENCH_FAILOVER_AFTER_MS', 5000, 0, 60_000),
  };
}

/** Terminals for a total rate, each at the same rate, so that together they pay exactly `total`/s. */
export function splitRate(total: number, perTerminal: number): { terminals: number; ratePerSecond: number } {
  const terminals = Math.max(1, Math.ceil(total / perTerminal));
  return { terminals, ratePerSecond: total / terminals };
}

/** Answer times (ms) of the approvals the terminals received, one per payment, ascending. */
export function approvalTimes(records: readonly ResultRecord[]): number[] {
  const byKey = new Map<string, number>();
  for (const r of records)
    if (r.op === 'authorize' && r.status === 201 && r.decision === 'approved' && !byKey.has(r.key))
      byKey.set(r.key, Date.parse(r.at));
  return [...byKey.values()].sort((a, b) => a - b);
}

/**
 * The longest time without an approval that touches [fromMs, toMs]: between the last approval
 * before the window (or its start, if none) and the next one after, across the window. A window
 * no approval follows counts until `toMs`.
 */
export function longestGapWithin(times: readonly number[], fromMs: number, toMs: number): number {
  let prev = fromMs;
  for (const t of times) if (t <= fromMs) prev = t;
  let longest = 0;
  for (const t of times) {
    if (t <= prev) continue;
    longest = Math.max(longest, t - prev);
    prev = t;
    if (t >= toMs) return longest;
  }
  return Math.max(longest, toMs - prev);
}

export type Fault = 'none' | 'site crash';

export interface StepRow {
  readonly rate: number;
  readonly fault: Fault;
  readonly terminals: number;
  readonly approved: number;
  /** Approved by a site standing in (its ledger calls timing out under load), replayed later. */
  readonly approvedStandIn: number;
  /** Approvals per second of the step's length. */
  readonly approvalsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Crash: the longest gap touching the time edge-a was down; no fault: the longest of the run. */
  readonly gapMs: number;
  readonly undecided: number;
  readonly lost: number;
  readonly doubled: number;
  readonly balanced: boolean;
  readonly violations: number;
}

/** One step's row from its records and reconciliation; `crash` is when edge-a was down. */
export function stepRow(
  step: {
    rate: number;
    fault: Fault;
    terminals: number;
    /** The step's length: no payment starts after it. */
    seconds: number;
    crash?: { fromMs: number; toMs: number };
  },
  records: readonly ResultRecord[],
  report: ReconcileReport,
): StepRow {
  const times = approvalTimes(records);
  const c = report.counts;
  return {
    rate: step.rate,
    fault: step.fault,
    terminals: step.terminals,
    approved: c.approved,
    approvedStandIn: c.approvedStandIn,
    // Every payment starts within the step; a fleet that falls behind starts fewer.
    approvalsPerSecond: c.approved / step.seconds,
    p50Ms: c.approvalP50Ms,
    p99Ms: c.approvalP99Ms,
    gapMs: step.crash ? longestGapWithin(times, step.crash.fromMs, step.crash.toMs) : c.longestGapMs,
    undecided: c.undecided,
    lost: c.lost,
    doubled: c.doubled,
    balanced: !report.violations.some((v) => v.kind === 'unbalanced' || v.kind === 'accountMismatch'),
    violations: report.violations.length,
  };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The table as Markdown (it goes into the README as printed). */
export function formatTable(rows: readonly StepRow[]): string {
  const lines = [
    '| payments/s offered | fault | terminals | approvals/s | of which stand-in | p50 | p99 | longest gap | undecided | lost | doubled | balanced | reconciliation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.rate} | ${r.fault} | ${r.terminals} | ${r.approvalsPerSecond.toFixed(1)} | ${r.approvedStandIn} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${secs(r.gapMs)}${r.fault === 'site crash' ? ' (crash)' : ''} | ${r.undecided} | ${r.lost} | ${r.doubled} | ${r.balanced ? 'yes' : 'NO'} | ${r.violations === 0 ? 'OK' : `${r.violations} violation(s)`} |`,
    );
  return lines.join('\n');
}

/** "site lost at N payments/s: 0 lost, 0 doubled, longest gap T s", for the highest crash rate. */
export function headline(rows: readonly StepRow[]): string | undefined {
  const crashes = rows.filter((r) => r.fault === 'site crash');
  const top = crashes.reduce<StepRow | undefined>(
    (m, r) => (m === undefined || r.rate > m.rate ? r : m),
    undefined,
  );
  if (!top) return undefined;
  return `site lost at ${top.rate} payments/s: ${top.lost} lost, ${top.doubled} doubled, longest gap ${(top.gapMs / 1000).toFixed(2)} s`;
}

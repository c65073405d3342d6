import type { ReconcileReport } from '../terminal/reconcile.js';
import type { ResultRecord } from '../terminal/results.js';
import {
  approvalTimes,
  formatTable,
  headline,
  longestGapWithin,
  parseBenchOptions,
  splitRate,
  stepRow,
  type StepRow,
} from './payments-figures.js';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const rec = (key: string, ms: number, over: Partial<ResultRecord> = {}): ResultRecord => ({
  at: new Date(T0 + ms).toISOString(),
  gateway: 'payments/checkout',
  terminal: 't-1',
  op: 'authorize',
  key,
  attempt: 1,
  endpoint: 'http://127.0.0.1:1',
  status: 201,
  decision: 'approved',
  mode: 'online',
  amountMinor: 100,
  currency: 'EUR',
  last4: '4242',
  latencyMs: 5,
  ...over,
});

describe('parseBenchOptions', () => {
  it('defaults to 50,100,200,400 payments/s, 20 s a step', () => {
    expect(parseBenchOptions({})).toEqual({
      rates: [50, 100, 200, 400],
      seconds: 20,
      terminalRate: 5,
      failoverAfterMs: 5000,
    });
  });

  it('reads the variables', () => {
    expect(
      parseBenchOptions({
        BENCH_RATES: '10, 30',
        BENCH_SECONDS: '9',
        BENCH_TERMINAL_RATE: '2',
        BENCH_FAILOVER_AFTER_MS: '0',
      }),
    ).toEqual({ rates: [10, 30], seconds: 9, terminalRate: 2, failoverAfterMs: 0 });
  });

  it.each([
    [{ BENCH_RATES: '50,abc' }, /BENCH_RATES must be .*"50,abc"/],
    [{ BENCH_RATES: '0' }, /BENCH_RATES/],
    [{ BENCH_RATES: '5000' }, /BENCH_RATES .* between 1 and 2000/],
    [{ BENCH_SECONDS: '2' }, /BENCH_SECONDS must be an integer between 6 and 600, got "2"/],
    [{ BENCH_SECONDS: '1.5e1' }, /BENCH_SECONDS/],
    [{ BENCH_TERMINAL_RATE: '-1' }, /BENCH_TERMINAL_RATE/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parseBenchOptions(env)).toThrow(message);
  });
});

describe('splitRate', () => {
  it('gives every terminal the same rate, adding up to the total', () => {
    expect(splitRate(400, 5)).toEqual({ terminals: 80, ratePerSecond: 5 });
    const s = splitRate(50, 8);
    expect(s.terminals).toBe(7);
    expect(s.terminals * s.ratePerSecond).toBeCloseTo(50);
    expect(splitRate(1, 5)).toEqual({ terminals: 1, ratePerSecond: 1 });
  });
});

describe('approvalTimes', () => {
  it('keeps one approved answer per payment, ascending, and nothing else', () => {
    const times = approvalTimes([
      rec('k3', 300),
      rec('k1', 100),
      rec('k1', 150), // the same payment answered twice: counted once
      rec('k2', 200, { decision: 'declined' }),
      rec('k4', 250, { status: 0, decision: undefined, failure: 'timeout' }),
      rec('k4.capture', 260, { op: 'capture', status: 200 }),
    ]);
    expect(times).toEqual([T0 + 100, T0 + 300]);
  });
});

describe('longestGapWithin', () => {
  const times = [0, 100, 200, 1200, 1300, 5000];

  it('spans the window from the last approval before it to the next after', () => {
    // Window 250..400: the gap touching it is 200 → 1200.
    expect(longestGapWithin(times, 250, 400)).toBe(1000);
    // Window 150..1350: gaps 100→200, 200→1200, 1200→1300, 1300→5000 (the last crosses its end).
    expect(longestGapWithin(times, 150, 1350)).toBe(3700);
  });

  it('ignores longer gaps outside the window', () => {
    expect(longestGapWithin([0, 5000, 5010, 5020, 9000], 5005, 5015)).toBe(10);
  });

  it('counts to the window end when nothing follows, and from its start when nothing precedes', () => {
    expect(longestGapWithin([0, 10], 100, 600)).toBe(590);
    expect(longestGapWithin([700, 710], 100, 600)).toBe(600);
    expect(longestGapWithin([], 100, 600)).toBe(500);
  });
});

const report = (over: Partial<ReconcileReport['counts']> = {}, kinds: string[] = []): ReconcileReport =>
  ({
    ok: kinds.length === 0,
    counts: {
      approved: 3,
      approvedStandIn: 0,
      approvalP50Ms: 7,
      approvalP99Ms: 40,
      longestGapMs: 900,
      undecided: 0,
      lost: 0,
      doubled: 0,
      ...over,
    },
    violations: kinds.map((kind) => ({ kind, subject: 'x', detail: 'y' })),
  }) as unknown as ReconcileReport;

describe('stepRow', () => {
  const records = [rec('k1', 1000), rec('k2', 1500), rec('k3', 3000)];

  it('rates approvals over the step; the crash gap is within the crash', () => {
    const row = stepRow(
      {
        rate: 50,
        fault: 'site crash',
        terminals: 10,
        seconds: 2,
        crash: { fromMs: T0 + 1600, toMs: T0 + 1700 },
      },
      records,
      report({ approved: 3, approvedStandIn: 1 }),
    );
    expect(row).toMatchObject({
      approved: 3,
      approvedStandIn: 1,
      approvalsPerSecond: 1.5,
      p50Ms: 7,
      p99Ms: 40,
      gapMs: 1500,
      balanced: true,
      violations: 0,
    });
  });

  it('without a fault reports the run’s longest gap; unbalanced books are not balanced', () => {
    const row = stepRow(
      { rate: 50, fault: 'none', terminals: 10, seconds: 20 },
      records,
      report({ lost: 1 }, ['lost', 'unbalanced']),
    );
    expect(row).toMatchObject({ gapMs: 900, lost: 1, balanced: false, violations: 2 });
    expect(
      stepRow({ rate: 1, fault: 'none', terminals: 1, seconds: 9 }, [], report({ approved: 0 }))
        .approvalsPerSecond,
    ).toBe(0);
  });
});

describe('table and headline', () => {
  const row = (rate: number, fault: StepRow['fault'], gapMs: number, lost = 0): StepRow => ({
    rate,
    fault,
    terminals: rate / 5,
    approved: rate * 20,
    approvedStandIn: 3,
    approvalsPerSecond: rate - 0.25,
    p50Ms: 9,
    p99Ms: 48,
    gapMs,
    undecided: 0,
    lost,
    doubled: 0,
    balanced: true,
    violations: lost,
  });

  it('headlines the highest rate with a crash, with its own figures', () => {
    const rows = [
      row(400, 'none', 100),
      row(50, 'site crash', 300),
      row(200, 'site crash', 1234, 2),
      row(100, 'site crash', 50),
    ];
    expect(headline(rows)).toBe('site lost at 200 payments/s: 2 lost, 0 doubled, longest gap 1.23 s');
    expect(headline([row(50, 'none', 1)])).toBeUndefined();
  });

  it('prints one Markdown row per step', () => {
    const t = formatTable([row(50, 'none', 120), row(50, 'site crash', 800, 1)]).split('\n');
    expect(t).toHaveLength(4);
    expect(t[2]).toBe('| 50 | none | 10 | 49.8 | 3 | 9 ms | 48 ms | 0.12 s | 0 | 0 | 0 | yes | OK |');
    expect(t[3]).toBe(
      '| 50 | site crash | 10 | 49.8 | 3 | 9 ms | 48 ms | 0.80 s (crash) | 0 | 1 | 0 | yes | 1 violation(s) |',
    );
  });
});

import { aggregateView, jsonInteger, seriesView, summaryView } from './aggregate-view.js';
import type { TotalsRows } from './totals.js';

const row = (gateway: string, site: string, approvals: bigint, declines: bigint) => ({
  gateway,
  site,
  approvals,
  standInApprovals: 0n,
  declines,
  latencyCount: 0n,
  latencySumMs: 0n,
});

const rows: TotalsRows = {
  counts: [row('g1', 'a', 3n, 1n), row('g1', 'b', 1n, 0n), row('g2', 'a', 0n, 0n)],
  declines: [{ gateway: 'g1', site: 'a', reason: 'InsufficientFunds', count: 1n }],
  volumes: [
    { gateway: 'g1', site: 'a', currency: 'EUR', kind: 'approved', count: 3n, amountMinor: 2n ** 53n },
    { gateway: 'g1', site: 'b', currency: 'EUR', kind: 'approved', count: 1n, amountMinor: 10n },
  ],
  latency: [{ gateway: 'g1', site: 'a', bucket: 4, count: 4n }],
};

describe('aggregate views', () => {
  it('answers integers as numbers while safe, as digit strings beyond', () => {
    expect(jsonInteger(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(jsonInteger(2n ** 53n)).toBe('9007199254740992');
    expect(jsonInteger(-(2n ** 60n))).toBe('-1152921504606846976');
  });

  it('sums groups, with the approval rate as a ratio and null without decisions', () => {
    const all = aggregateView(rows);
    expect(all.approvals).toBe(4);
    expect(all.approvalRate).toBe(0.8);
    expect(all.volumes).toEqual({ EUR: { approved: { count: 4, amountMinor: '9007199254741002' } } });
    expect(all.latency).toEqual({ count: 0, sumMs: 0, p50Ms: 15, p99Ms: expect.closeTo(19.9, 10) });
    const s = summaryView(rows, { cursor: 9, lastEventAt: null, lagSeconds: 0, feedUp: true }) as {
      gateways: { gateway: string; approvalRate: number | null }[];
      sites: { gateway: string; site: string; approvals: number }[];
    };
    expect(s.gateways.map((g) => [g.gateway, g.approvalRate])).toEqual([
      ['g1', 0.8],
      ['g2', null],
    ]);
    expect(s.sites.map((x) => [x.gateway, x.site, x.approvals])).toEqual([
      ['g1', 'a', 3],
      ['g1', 'b', 1],
      ['g2', 'a', 0],
    ]);
  });

  it('fills every step of a series, zeros where nothing happened', () => {
    const from = Date.parse('2026-03-01T12:00:00Z');
    const v = seriesView([{ atMs: from + 60_000, rows }], {
      step: 'minute',
      stepMs: 60_000,
      fromMs: from,
      toMs: from + 180_000,
    }) as { rows: { at: string; approvals: number }[] };
    expect(v.rows.map((r) => [r.at, r.approvals])).toEqual([
      ['2026-03-01T12:00:00.000Z', 0],
      ['2026-03-01T12:01:00.000Z', 4],
      ['2026-03-01T12:02:00.000Z', 0],
    ]);
  });
});

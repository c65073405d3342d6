// Aggregate rows → the JSON that /v1/summary and /v1/series answer. Pure. Integers that fit a
// JavaScript number exactly are JSON numbers; larger ones (a volume past 2^53 - 1 minor units)
// are JSON strings of digits, so no client ever reads a rounded amount. The approval rate and the
// latency estimates are not money: they are decimals.
import { VOLUME_KINDS, type VolumeKind } from './fold.js';
import { estimateQuantile, LATENCY_BUCKET_COUNT } from './latency-buckets.js';
import type { TimedTotals } from './queries.js';
import type { SeriesQuery } from './query-params.js';
import type { TotalsRows } from './totals.js';

export type JsonInteger = number | string;

export function jsonInteger(n: bigint): JsonInteger {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n.toString();
}

export interface AggregateView {
  readonly approvals: JsonInteger;
  readonly standInApprovals: JsonInteger;
  readonly declines: JsonInteger;
  /** approvals / (approvals + declines); null with neither. */
  readonly approvalRate: number | null;
  readonly declineReasons: Record<string, JsonInteger>;
  /** Per currency, per kind: how many and how much (minor units). */
  readonly volumes: Record<
    string,
    Partial<Record<VolumeKind, { count: JsonInteger; amountMinor: JsonInteger }>>
  >;
  readonly latency: {
    readonly count: JsonInteger;
    readonly sumMs: JsonInteger;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
  };
}

class Accumulator {
  approvals = 0n;
  standInApprovals = 0n;
  declines = 0n;
  latencyCount = 0n;
  latencySumMs = 0n;
  readonly buckets: bigint[] = new Array<bigint>(LATENCY_BUCKET_COUNT).fill(0n);
  readonly reasons = new Map<string, bigint>();
  readonly volumes = new Map<string, Map<VolumeKind, { count: bigint; amount: bigint }>>();

  view(): AggregateView {
    const decided = this.approvals + this.declines;
    const counts = this.buckets.map(Number);
    const q = (x: number): number | null => estimateQuantile(counts, x) ?? null;
    const volumes: AggregateView['volumes'] = {};
    for (const currency of [...this.volumes.keys()].sort()) {
      const kinds = this.volumes.get(currency) as Map<VolumeKind, { count: bigint; amount: bigint }>;
      const out: Partial<Record<VolumeKind, { count: JsonInteger; amountMinor: JsonInteger }>> = {};
      for (const kind of VOLUME_KINDS) {
        const v = kinds.get(kind);
        if (v) out[kind] = { count: jsonInteger(v.count), amountMinor: jsonInteger(v.amount) };
      }
      volumes[currency] = out;
    }
    return {
      approvals: jsonInteger(this.approvals),
      standInApprovals: jsonInteger(this.standInApprovals),
      declines: jsonInteger(this.declines),
      approvalRate: decided === 0n ? null : Number(this.approvals) / Number(decided),
      declineReasons: Object.fromEntries(
        [...this.reasons.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([r, n]) => [r, jsonInteger(n)]),
      ),
      volumes,
      latency: {
        count: jsonInteger(this.latencyCount),
        sumMs: jsonInteger(this.latencySumMs),
        p50Ms: q(0.5),
        p99Ms: q(0.99),
      },
    };
  }
}

/** Sums the rows into one accumulator per group (the group of a row is `groupOf(gateway, site)`). */
function accumulate(
  rows: TotalsRows,
  groupOf: (gateway: string, site: string) => string,
): Map<string, Accumulator> {
  const groups = new Map<string, Accumulator>();
  const at = (gateway: string, site: string): Accumulator => {
    const g = groupOf(gateway, site);
    let a = groups.get(g);
    if (!a) groups.set(g, (a = new Accumulator()));
    return a;
  };
  for (const c of rows.counts) {
    const a = at(c.gateway, c.site);
    a.approvals += c.approvals;
    a.standInApprovals += c.standInApprovals;
    a.declines += c.declines;
    a.latencyCount += c.latencyCount;
    a.latencySumMs += c.latencySumMs;
  }
  for (const d of rows.declines) {
    const a = at(d.gateway, d.site);
    a.reasons.set(d.reason, (a.reasons.get(d.reason) ?? 0n) + d.count);
  }
  for (const v of rows.volumes) {
    const a = at(v.gateway, v.site);
    let kinds = a.volumes.get(v.currency);
    if (!kinds) a.volumes.set(v.currency, (kinds = new Map()));
    const old = kinds.get(v.kind) ?? { count: 0n, amount: 0n };
    kinds.set(v.kind, { count: old.count + v.count, amount: old.amount + v.amountMinor });
  }
  for (const l of rows.latency) {
    const a = at(l.gateway, l.site);
    if (l.bucket >= 0 && l.bucket < LATENCY_BUCKET_COUNT)
      a.buckets[l.bucket] = (a.buckets[l.bucket] ?? 0n) + l.count;
  }
  return groups;
}

export function aggregateView(rows: TotalsRows): AggregateView {
  return (accumulate(rows, () => '').get('') ?? new Accumulator()).view();
}

export interface FeedState {
  readonly cursor: number;
  readonly lastEventAt: string | null;
  readonly lagSeconds: number;
  readonly feedUp: boolean;
}

export function summaryView(rows: TotalsRows, feed: FeedState): Record<string, unknown> {
  const byGateway = accumulate(rows, (gateway) => gateway);
  const bySite = accumulate(rows, (gateway, site) => JSON.stringify([gateway, site]));
  return {
    feed,
    totals: aggregateView(rows),
    gateways: [...byGateway.keys()].sort().map((gateway) => ({
      gateway,
      ...(byGateway.get(gateway) as Accumulator).view(),
    })),
    sites: [...bySite.keys()].sort().map((key) => {
      const [gateway, site] = JSON.parse(key) as [string, string];
      return { gateway, site, ...(bySite.get(key) as Accumulator).view() };
    }),
  };
}

/** One row per step from `from` to `to`, zeros where nothing happened. */
export function seriesView(points: readonly TimedTotals[], q: SeriesQuery): Record<string, unknown> {
  const byAt = new Map(points.map((p) => [p.atMs, p.rows]));
  const rows: Record<string, unknown>[] = [];
  for (let at = q.fromMs; at < q.toMs; at += q.stepMs)
    rows.push({
      at: new Date(at).toISOString(),
      ...aggregateView(byAt.get(at) ?? { counts: [], declines: [], volumes: [], latency: [] }),
    });
  return {
    gateway: q.gateway ?? null,
    site: q.site ?? null,
    step: q.step,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    rows,
  };
}

// Aggregate rows as both the summary and the metrics see them: one row per key, values exact
// (bigint). `Totals` is the in-memory mirror of the *_total tables that /metrics serves: loaded at
// start, then added to with each committed batch (or reloaded when another replica committed).
import type { Folded, VolumeKind } from './fold.js';

export interface CountsRow {
  readonly gateway: string;
  readonly site: string;
  readonly approvals: bigint;
  readonly standInApprovals: bigint;
  readonly declines: bigint;
  readonly latencyCount: bigint;
  readonly latencySumMs: bigint;
}
export interface DeclinesRow {
  readonly gateway: string;
  readonly site: string;
  readonly reason: string;
  readonly count: bigint;
}
export interface VolumesRow {
  readonly gateway: string;
  readonly site: string;
  readonly currency: string;
  readonly kind: VolumeKind;
  readonly count: bigint;
  readonly amountMinor: bigint;
}
export interface LatencyRow {
  readonly gateway: string;
  readonly site: string;
  readonly bucket: number;
  readonly count: bigint;
}

export interface TotalsRows {
  readonly counts: readonly CountsRow[];
  readonly declines: readonly DeclinesRow[];
  readonly volumes: readonly VolumesRow[];
  readonly latency: readonly LatencyRow[];
}

export const EMPTY_TOTALS: TotalsRows = { counts: [], declines: [], volumes: [], latency: [] };

const k = (...parts: (string | number)[]): string => JSON.stringify(parts);

function mergeInto<R>(map: Map<string, R>, key: string, row: R, add: (a: R, b: R) => R): void {
  const old = map.get(key);
  map.set(key, old === undefined ? row : add(old, row));
}

export class Totals {
  private counts = new Map<string, CountsRow>();
  private declines = new Map<string, DeclinesRow>();
  private volumes = new Map<string, VolumesRow>();
  private latency = new Map<string, LatencyRow>();

  replace(rows: TotalsRows): void {
    this.counts = new Map();
    this.declines = new Map();
    this.volumes = new Map();
    this.latency = new Map();
    this.add(rows);
  }

  add(rows: TotalsRows): void {
    for (const c of rows.counts)
      mergeInto(this.counts, k(c.gateway, c.site), c, (a, b) => ({
        ...a,
        approvals: a.approvals + b.approvals,
        standInApprovals: a.standInApprovals + b.standInApprovals,
        declines: a.declines + b.declines,
        latencyCount: a.latencyCount + b.latencyCount,
        latencySumMs: a.latencySumMs + b.latencySumMs,
      }));
    for (const d of rows.declines)
      mergeInto(this.declines, k(d.gateway, d.site, d.reason), d, (a, b) => ({
        ...a,
        count: a.count + b.count,
      }));
    for (const v of rows.volumes)
      mergeInto(this.volumes, k(v.gateway, v.site, v.currency, v.kind), v, (a, b) => ({
        ...a,
        count: a.count + b.count,
        amountMinor: a.amountMinor + b.amountMinor,
      }));
    for (const l of rows.latency)
      mergeInto(this.latency, k(l.gateway, l.site, l.bucket), l, (a, b) => ({
        ...a,
        count: a.count + b.count,
      }));
  }

  rows(): TotalsRows {
    return {
      counts: [...this.counts.values()],
      declines: [...this.declines.values()],
      volumes: [...this.volumes.values()],
      latency: [...this.latency.values()],
    };
  }
}

/** A committed batch's deltas as total rows (the minute dropped). */
export function foldedTotals(f: Folded): TotalsRows {
  return {
    counts: f.counts.map((c) => ({
      gateway: c.gateway,
      site: c.site,
      approvals: BigInt(c.approvals),
      standInApprovals: BigInt(c.standInApprovals),
      declines: BigInt(c.declines),
      latencyCount: BigInt(c.latencyCount),
      latencySumMs: c.latencySumMs,
    })),
    declines: f.declines.map((d) => ({
      gateway: d.gateway,
      site: d.site,
      reason: d.reason,
      count: BigInt(d.count),
    })),
    volumes: f.volumes.map((v) => ({
      gateway: v.gateway,
      site: v.site,
      currency: v.currency,
      kind: v.kind,
      count: BigInt(v.count),
      amountMinor: v.amountMinor,
    })),
    latency: f.latency.map((l) => ({
      gateway: l.gateway,
      site: l.site,
      bucket: l.bucket,
      count: BigInt(l.count),
    })),
  };
}

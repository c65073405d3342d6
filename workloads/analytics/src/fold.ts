// Events → aggregate deltas, with no I/O: what one batch of the change feed adds to the
// per-minute and total aggregates, and which authorization holds it opens and resolves. The store
// applies the result in the same transaction that moves the cursor, so a batch counts once or not
// at all.
//
// What counts (docs/ledger.md, "What analytics reads"):
//   - an approval is a `pending` transfer whose metadata names a `gateway` (the authorization
//     service books every hold so); `standIn: true` ones are also counted as stand-in approvals;
//   - a `post` of such a hold is captured volume, a `void` voided volume (expired when the ledger
//     voided it for its timeout), both attributed to the hold's gateway and site, in the minute
//     of the post or void;
//   - a decline event is a decline, by reason;
//   - metadata.latencyMs (a non-negative integer) of approvals and declines feeds the latency
//     histogram.
// Everything else (single transfers, holds of other writers and their posts) is ignored.
import type { DeclineFact, FeedEvent, Metadata, TransferFact } from './feed-event.js';
import { latencyBucket } from './latency-buckets.js';

export const VOLUME_KINDS = ['approved', 'captured', 'voided', 'expired', 'declined'] as const;
export type VolumeKind = (typeof VOLUME_KINDS)[number];

export const UNKNOWN = 'unknown';
/** Longest gateway, site or reason kept; longer ones are cut (they come from client metadata). */
const MAX_LABEL = 128;

export interface Where {
  readonly minuteMs: number;
  readonly gateway: string;
  readonly site: string;
}

export interface CountsDelta extends Where {
  approvals: number;
  standInApprovals: number;
  declines: number;
  latencyCount: number;
  latencySumMs: bigint;
}

export interface DeclineDelta extends Where {
  readonly reason: string;
  count: number;
}

export interface VolumeDelta extends Where {
  readonly currency: string;
  readonly kind: VolumeKind;
  count: number;
  amountMinor: bigint;
}

export interface LatencyDelta extends Where {
  readonly bucket: number;
  count: number;
}

/** An authorization hold not yet posted or voided: what its post or void is attributed to. */
export interface Hold {
  readonly id: string;
  readonly gateway: string;
  readonly site: string;
  readonly currency: string;
}

export interface Folded {
  readonly counts: readonly CountsDelta[];
  readonly declines: readonly DeclineDelta[];
  readonly volumes: readonly VolumeDelta[];
  readonly latency: readonly LatencyDelta[];
  /** Holds opened in this batch and still open at its end. */
  readonly holdsOpened: readonly Hold[];
  /** Holds opened before this batch that it resolved (to delete from the store). */
  readonly holdsResolved: readonly string[];
  /** seq of the last event: the new cursor. */
  readonly lastSeq: number;
  readonly lastAtMs: number | undefined;
  readonly outcomes: { counted: number; ignored: number; skipped: number };
  readonly skipped: Readonly<Record<string, number>>;
}

export const minuteOf = (ms: number): number => ms - (((ms % 60_000) + 60_000) % 60_000);

// Control characters (NUL above all, which PostgreSQL text refuses) would wedge the feed on one bad event.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

function label(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const clean = v.replace(CONTROL, '').trim().slice(0, MAX_LABEL);
  return clean === '' ? undefined : clean;
}

function where(atMs: number, metadata: Metadata, member: string | undefined): Where {
  return {
    minuteMs: minuteOf(atMs),
    gateway: label(metadata.gateway) ?? UNKNOWN,
    site: label(metadata.site) ?? label(member) ?? UNKNOWN,
  };
}

function latencyOf(metadata: Metadata): number | undefined {
  const v = metadata.latencyMs;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** Pending ids of the batch's posts and voids that were not opened in the batch: the store looks them up. */
export function holdsToLookUp(events: readonly FeedEvent[]): string[] {
  const opened = new Set<string>();
  const wanted = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'transfer') continue;
    const t = e.transfer;
    if (t.type === 'pending') opened.add(t.id);
    else if (t.pendingId !== undefined && !opened.has(t.pendingId)) wanted.add(t.pendingId);
  }
  return [...wanted];
}

const key = (w: Where, ...rest: (string | number)[]): string =>
  JSON.stringify([w.minuteMs, w.gateway, w.site, ...rest]);

/** Folds a batch of events (in seq order, all after the cursor) into deltas. */
export function foldEvents(
  events: readonly FeedEvent[],
  knownHolds: ReadonlyMap<string, Hold>,
  cursor: number,
): Folded {
  const counts = new Map<string, CountsDelta>();
  const declines = new Map<string, DeclineDelta>();
  const volumes = new Map<string, VolumeDelta>();
  const latency = new Map<string, LatencyDelta>();
  const opened = new Map<string, Hold>();
  const resolved: string[] = [];
  const outcomes = { counted: 0, ignored: 0, skipped: 0 };
  const skipped: Record<string, number> = {};
  let lastSeq = cursor;
  let lastAtMs: number | undefined;

  const countsAt = (w: Where): CountsDelta => {
    const k = key(w);
    let c = counts.get(k);
    if (!c) {
      c = { ...w, approvals: 0, standInApprovals: 0, declines: 0, latencyCount: 0, latencySumMs: 0n };
      counts.set(k, c);
    }
    return c;
  };
  const addVolume = (w: Where, currency: string, kind: VolumeKind, amountMinor: number): void => {
    const k = key(w, currency, kind);
    const v = volumes.get(k) ?? { ...w, currency, kind, count: 0, amountMinor: 0n };
    v.count += 1;
    v.amountMinor += BigInt(amountMinor);
    volumes.set(k, v);
  };
  const addLatency = (w: Where, ms: number | undefined): void => {
    if (ms === undefined) return;
    const c = countsAt(w);
    c.latencyCount += 1;
    c.latencySumMs += BigInt(ms);
    const bucket = latencyBucket(ms);
    const k = key(w, bucket);
    const l = latency.get(k) ?? { ...w, bucket, count: 0 };
    l.count += 1;
    latency.set(k, l);
  };

  const approval = (atMs: number, t: TransferFact): void => {
    const w = where(atMs, t.metadata, t.member);
    const c = countsAt(w);
    c.approvals += 1;
    if (t.standIn) c.standInApprovals += 1;
    addVolume(w, t.currency, 'approved', t.amountMinor);
    addLatency(w, latencyOf(t.metadata));
    opened.set(t.id, { id: t.id, gateway: w.gateway, site: w.site, currency: t.currency });
  };
  const resolution = (atMs: number, t: TransferFact): boolean => {
    const pendingId = t.pendingId as string;
    const hold = opened.get(pendingId) ?? knownHolds.get(pendingId);
    if (!hold) return false;
    if (opened.delete(pendingId) === false) resolved.push(pendingId);
    const w = { minuteMs: minuteOf(atMs), gateway: hold.gateway, site: hold.site };
    const kind: VolumeKind = t.type === 'post' ? 'captured' : t.expiry ? 'expired' : 'voided';
    addVolume(w, t.currency, kind, t.amountMinor);
    return true;
  };
  const decline = (atMs: number, d: DeclineFact): void => {
    const w = where(atMs, d.metadata, d.member);
    countsAt(w).declines += 1;
    const reason = label(d.reason) ?? UNKNOWN;
    const k = key(w, reason);
    const r = declines.get(k) ?? { ...w, reason, count: 0 };
    r.count += 1;
    declines.set(k, r);
    addVolume(w, d.currency, 'declined', d.amountMinor);
    addLatency(w, latencyOf(d.metadata));
  };

  const resolvedBefore = new Set<string>();
  for (const e of events) {
    if (e.seq <= lastSeq) throw new RangeError(`event ${e.seq} is not after ${lastSeq}`);
    lastSeq = e.seq;
    if (e.kind === 'skipped') {
      outcomes.skipped += 1;
      skipped[e.why] = (skipped[e.why] ?? 0) + 1;
      continue;
    }
    lastAtMs = e.atMs;
    if (e.kind === 'decline') {
      decline(e.atMs, e.decline);
      outcomes.counted += 1;
      continue;
    }
    const t = e.transfer;
    let counted = false;
    if (t.type === 'pending' && label(t.metadata.gateway) !== undefined) {
      approval(e.atMs, t);
      counted = true;
    } else if ((t.type === 'post' || t.type === 'void') && !resolvedBefore.has(t.pendingId as string)) {
      counted = resolution(e.atMs, t);
      if (counted) resolvedBefore.add(t.pendingId as string);
    }
    if (counted) outcomes.counted += 1;
    else outcomes.ignored += 1;
  }

  return {
    counts: [...counts.values()],
    declines: [...declines.values()],
    volumes: [...volumes.values()],
    latency: [...latency.values()],
    holdsOpened: [...opened.values()],
    holdsResolved: resolved,
    lastSeq,
    lastAtMs,
    outcomes,
    skipped,
  };
}

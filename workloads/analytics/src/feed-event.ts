// The ledger's change feed (docs/ledger.md, "Change feed") as analytics reads it: only the fields
// it aggregates, checked on the way in. A page whose seqs cannot be trusted is refused whole (the
// cursor must never jump over an event); a single event with unusable content is kept as
// `skipped`, so the cursor moves past it and the reason is counted instead of stalling the feed.

export type Metadata = Readonly<Record<string, unknown>>;

export interface TransferFact {
  readonly id: string;
  readonly type: 'single' | 'pending' | 'post' | 'void';
  readonly amountMinor: number;
  readonly currency: string;
  readonly pendingId?: string;
  readonly standIn: boolean;
  /** A void the ledger booked itself because the hold timed out. */
  readonly expiry: boolean;
  /** The writer's member (the Paygrid-Member header). */
  readonly member?: string;
  readonly metadata: Metadata;
}

export interface DeclineFact {
  readonly id: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
  readonly member?: string;
  readonly metadata: Metadata;
}

interface Base {
  readonly seq: number;
  /** When the ledger booked it (epoch ms): aggregates use the ledger's clock, so replays agree. */
  readonly atMs: number;
}

export type FeedEvent =
  | (Base & { readonly kind: 'transfer'; readonly transfer: TransferFact })
  | (Base & { readonly kind: 'decline'; readonly decline: DeclineFact })
  | (Base & { readonly kind: 'skipped'; readonly why: string });

export interface FeedPage {
  readonly events: readonly FeedEvent[];
  readonly next: number;
}

export class FeedFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

const TYPES = new Set(['single', 'pending', 'post', 'void']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function amount(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  if (typeof v === 'string' && /^[1-9]\d{0,15}$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return undefined;
}

function seqOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

const optionalText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function transferFact(t: unknown): TransferFact | string {
  if (!isRecord(t)) return 'transfer missing';
  if (typeof t.id !== 'string' || t.id === '') return 'transfer.id invalid';
  if (typeof t.type !== 'string' || !TYPES.has(t.type)) return 'transfer.type unknown';
  const amountMinor = amount(t.amountMinor);
  if (amountMinor === undefined) return 'transfer.amountMinor invalid';
  if (typeof t.currency !== 'string' || !/^[A-Z]{3}$/.test(t.currency)) return 'transfer.currency invalid';
  const pendingId = optionalText(t.pendingId);
  if ((t.type === 'post' || t.type === 'void') && pendingId === undefined)
    return 'transfer.pendingId missing';
  const member = optionalText(t.member);
  return {
    id: t.id,
    type: t.type as TransferFact['type'],
    amountMinor,
    currency: t.currency,
    ...(pendingId !== undefined ? { pendingId } : {}),
    standIn: t.standIn === true,
    expiry: t.expiry === true,
    ...(member !== undefined ? { member } : {}),
    metadata: isRecord(t.metadata) ? t.metadata : {},
  };
}

function declineFact(d: unknown): DeclineFact | string {
  if (!isRecord(d)) return 'decline missing';
  if (typeof d.id !== 'string' || d.id === '') return 'decline.id invalid';
  const amountMinor = amount(d.amountMinor);
  if (amountMinor === undefined) return 'decline.amountMinor invalid';
  if (typeof d.currency !== 'string' || !/^[A-Z]{3}$/.test(d.currency)) return 'decline.currency invalid';
  if (typeof d.reason !== 'string' || d.reason === '') return 'decline.reason invalid';
  const member = optionalText(d.member);
  return {
    id: d.id,
    amountMinor,
    currency: d.currency,
    reason: d.reason,
    ...(member !== undefined ? { member } : {}),
    metadata: isRecord(d.metadata) ? d.metadata : {},
  };
}

function parseEvent(e: unknown, after: number): FeedEvent {
  if (!isRecord(e)) throw new FeedFormatError('an event is not an object');
  const seq = seqOf(e.seq);
  if (seq === undefined) throw new FeedFormatError('an event has no integer seq');
  if (seq <= after)
    throw new FeedFormatError(`event seq ${seq} is not after ${after}: the feed went backwards`);
  const atMs = typeof e.at === 'string' ? Date.parse(e.at) : Number.NaN;
  if (!Number.isFinite(atMs)) return { seq, atMs: 0, kind: 'skipped', why: 'at invalid' };
  if (e.kind === 'transfer') {
    const transfer = transferFact(e.transfer);
    return typeof transfer === 'string'
      ? { seq, atMs, kind: 'skipped', why: transfer }
      : { seq, atMs, kind: 'transfer', transfer };
  }
  if (e.kind === 'decline') {
    const decline = declineFact(e.decline);
    return typeof decline === 'string'
      ? { seq, atMs, kind: 'skipped', why: decline }
      : { seq, atMs, kind: 'decline', decline };
  }
  return { seq, atMs, kind: 'skipped', why: 'kind unknown' };
}

/** Parses one answer of `GET /v1/events?after=<after>`; throws FeedFormatError when it cannot be trusted. */
export function parseFeedPage(body: unknown, after: number): FeedPage {
  if (!isRecord(body) || !Array.isArray(body.events))
    throw new FeedFormatError('the answer has no events array');
  const events: FeedEvent[] = [];
  let last = after;
  for (const raw of body.events) {
    const event = parseEvent(raw, last);
    events.push(event);
    last = event.seq;
  }
  const next = seqOf(body.next);
  if (next === undefined || next < last) throw new FeedFormatError('the answer has no usable next cursor');
  return { events, next };
}

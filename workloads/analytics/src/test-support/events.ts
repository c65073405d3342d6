// Test support: change-feed events as the ledger sends them, parsed the way the follower parses them.
import { parseFeedPage, type FeedEvent } from '../feed-event.js';

export const T0 = Date.parse('2026-03-01T12:00:00Z');

let seq = 0;
export const resetSeq = (to = 0): void => {
  seq = to;
};

type Raw = Record<string, unknown>;

export function transferEvent(t: Raw, atMs = T0): Raw {
  seq++;
  return {
    seq,
    kind: 'transfer',
    at: new Date(atMs).toISOString(),
    transfer: { currency: 'EUR', standIn: false, member: 'edge-a', metadata: {}, ...t },
  };
}

export function declineEvent(d: Raw, atMs = T0): Raw {
  seq++;
  return {
    seq,
    kind: 'decline',
    at: new Date(atMs).toISOString(),
    decline: { currency: 'EUR', member: 'edge-a', metadata: {}, ...d },
  };
}

export const hold = (id: string, amountMinor: number, metadata: Raw, extra: Raw = {}): Raw => ({
  id,
  type: 'pending',
  amountMinor,
  metadata,
  ...extra,
});

export const resolve = (
  type: 'post' | 'void',
  id: string,
  pendingId: string,
  amountMinor: number,
  extra: Raw = {},
): Raw => ({
  id,
  type,
  pendingId,
  amountMinor,
  ...extra,
});

/** Parses raw events as one feed page after `after`. */
export function parsed(raw: Raw[], after = 0): FeedEvent[] {
  return [...parseFeedPage({ events: raw, next: (raw.at(-1)?.seq as number) ?? after }, after).events];
}

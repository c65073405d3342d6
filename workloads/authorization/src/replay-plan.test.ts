import type { OutboxEntry, OutboxKind } from './journal.js';
import { nextReplayBatch, replayOutcome } from './replay-plan.js';

let seq = 0;
function entry(kind: OutboxKind, id: string, pendingId?: string): OutboxEntry {
  return {
    seq: ++seq,
    kind,
    authorizationId: pendingId ?? id,
    exposureMinor: kind === 'hold' ? 100 : 0,
    currency: 'EUR',
    transfer: {
      id,
      type: kind === 'hold' ? 'pending' : kind === 'post' ? 'post' : 'void',
      debitAccountId: 'card:t',
      creditAccountId: 'merchant:m',
      amountMinor: 100,
      currency: 'EUR',
      ...(pendingId ? { pendingId } : {}),
      metadata: {},
    },
  };
}

describe('nextReplayBatch', () => {
  it('keeps journal order and stops before a capture of a hold in the same batch', () => {
    const q = [entry('hold', 'a'), entry('hold', 'b'), entry('post', 'ca', 'a'), entry('hold', 'c')];
    expect(nextReplayBatch(q, 100).map((e) => e.transfer.id)).toEqual(['a', 'b']);
    expect(nextReplayBatch(q.slice(2), 100).map((e) => e.transfer.id)).toEqual(['ca', 'c']);
  });
  it('a capture of a hold forwarded earlier goes with the others', () => {
    const q = [entry('post', 'cx', 'x'), entry('hold', 'd')];
    expect(nextReplayBatch(q, 100)).toHaveLength(2);
  });
  it('respects the maximum', () => {
    const q = [entry('hold', 'a'), entry('hold', 'b'), entry('hold', 'c')];
    expect(nextReplayBatch(q, 2)).toHaveLength(2);
  });
});

describe('replayOutcome', () => {
  const hold = entry('hold', 'h');
  it('201 and 200 (duplicate) are acknowledgements', () => {
    expect(replayOutcome(hold, { status: 201 })).toEqual({ settle: 'forwarded' });
    expect(replayOutcome(hold, { status: 200 })).toEqual({ settle: 'forwarded' });
  });
  it('5xx, a missing result and Fenced are retried; a refusal is kept as rejected', () => {
    expect(replayOutcome(hold, { status: 503, error: { reason: 'NotPrimary' } }).settle).toBe('retry');
    expect(replayOutcome(hold, undefined).settle).toBe('retry');
    expect(replayOutcome(hold, { status: 409, error: { reason: 'Fenced' } }).settle).toBe('retry');
    expect(replayOutcome(hold, { status: 409, error: { reason: 'IdConflict' } })).toEqual({
      settle: 'rejected',
      reason: 'IdConflict',
    });
  });
  it('a cancel of a hold the ledger never booked is done', () => {
    const cancel = entry('cancel', 'h.cancel', 'h');
    expect(replayOutcome(cancel, { status: 422, error: { reason: 'PendingNotFound' } })).toEqual({
      settle: 'forwarded',
    });
    expect(replayOutcome(hold, { status: 422, error: { reason: 'PendingNotFound' } }).settle).toBe(
      'rejected',
    );
  });
});

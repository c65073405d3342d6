import type { Account, Transfer } from './model.js';
import { planBatch, type BatchItem, type LoadedState } from './plan-batch.js';
import { fingerprint, parseTransfer } from './transfer-request.js';

const writer = { epoch: 3, member: 'edge-a' };
const item = (body: Record<string, unknown>, w = writer): BatchItem => ({
  request: parseTransfer(body),
  writer: w,
});
const base = { debitAccountId: 'card:t', creditAccountId: 'merchant:m', currency: 'EUR' };

function account(id: string, over: Partial<Account> = {}): Account {
  return {
    id,
    currency: 'EUR',
    debitsMustNotExceedCredits: false,
    creditsMustNotExceedDebits: false,
    debitsPendingMinor: 0,
    debitsPostedMinor: 0,
    creditsPendingMinor: 0,
    creditsPostedMinor: 0,
    ...over,
  };
}

function state(over: Partial<LoadedState> = {}): LoadedState {
  return { accounts: new Map(), transfers: new Map(), memberFences: new Map(), now: 1_000_000, ...over };
}

describe('planBatch', () => {
  it('books a hold and its capture in one batch, creating the accounts once', () => {
    const plan = planBatch(
      [
        item({ ...base, id: 'h', type: 'pending', amountMinor: 100 }),
        item({ ...base, id: 'c', type: 'post', pendingId: 'h', amountMinor: 60 }),
      ],
      state(),
    );
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['book', 'book']);
    expect(plan.newAccounts).toEqual([
      { id: 'card:t', currency: 'EUR' },
      { id: 'merchant:m', currency: 'EUR' },
    ]);
  });

  it('answers a repeated id as the first one, or a conflict when the content differs', () => {
    const plan = planBatch(
      [
        item({ ...base, id: 'h', type: 'pending', amountMinor: 100 }),
        item({ ...base, id: 'h', type: 'pending', amountMinor: 100, metadata: { latencyMs: 4 } }),
        item({ ...base, id: 'h', type: 'pending', amountMinor: 101 }),
      ],
      state(),
    );
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['book', 'duplicate', 'conflict']);
  });

  it('refuses a second resolution, an expired capture and an over-capture', () => {
    const pending: Transfer = {
      ...base,
      id: 'h',
      type: 'pending',
      amountMinor: 100,
      timeoutSeconds: 10,
      state: 'pending',
      isExpiry: false,
      standIn: false,
      epoch: 3,
      member: 'edge-a',
      fingerprint: 'x',
      metadata: {},
      seq: 1,
      createdAt: new Date(0).toISOString(),
      expiresAt: new Date(2_000_000).toISOString(),
    };
    const s = state({
      transfers: new Map([['h', pending]]),
      accounts: new Map([
        ['card:t', account('card:t')],
        ['merchant:m', account('merchant:m')],
      ]),
    });
    const plan = planBatch(
      [
        item({ ...base, id: 'c1', type: 'post', pendingId: 'h', amountMinor: 101 }),
        item({ ...base, id: 'v1', type: 'void', pendingId: 'h' }),
        item({ ...base, id: 'c2', type: 'post', pendingId: 'h' }),
        item({ ...base, id: 'c3', type: 'post', pendingId: 'nope' }),
      ],
      s,
    );
    expect(plan.outcomes.map((o) => (o.kind === 'rejected' ? o.reason : o.kind))).toEqual([
      'AmountExceedsPending',
      'book',
      'PendingAlreadyResolved',
      'PendingNotFound',
    ]);
    const late = planBatch([item({ ...base, id: 'c4', type: 'post', pendingId: 'h' })], {
      ...s,
      now: 2_000_000,
    });
    expect(late.outcomes[0]).toMatchObject({ kind: 'rejected', reason: 'PendingExpired' });
  });

  it('keeps a flagged account from going negative, counting what the batch already holds', () => {
    const s = state({
      accounts: new Map([
        ['card:t', account('card:t', { debitsMustNotExceedCredits: true, creditsPostedMinor: 150 })],
        ['merchant:m', account('merchant:m')],
      ]),
    });
    const plan = planBatch(
      [
        item({ ...base, id: 'a', type: 'pending', amountMinor: 100 }),
        item({ ...base, id: 'b', type: 'single', amountMinor: 50 }),
        item({ ...base, id: 'c', type: 'single', amountMinor: 1 }),
      ],
      s,
    );
    expect(plan.outcomes.map((o) => (o.kind === 'rejected' ? o.reason : o.kind))).toEqual([
      'book',
      'book',
      'InsufficientFunds',
    ]);
  });

  it('fences a replaced member below its fence, but not its stand-in replays', () => {
    const s = state({ memberFences: new Map([['edge-a', 4]]) });
    const plan = planBatch(
      [
        item({ ...base, id: 'a', type: 'pending', amountMinor: 1 }),
        item({ ...base, id: 'b', type: 'pending', amountMinor: 1, standIn: true }),
        item({ ...base, id: 'c', type: 'pending', amountMinor: 1 }, { epoch: 4, member: 'edge-a' }),
      ],
      s,
    );
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['fenced', 'book', 'book']);
  });

  it('refuses a transfer whose account is in another currency', () => {
    const s = state({ accounts: new Map([['card:t', account('card:t', { currency: 'USD' })]]) });
    const plan = planBatch([item({ ...base, id: 'a', type: 'single', amountMinor: 1 })], s);
    expect(plan.outcomes[0]).toMatchObject({ kind: 'rejected', reason: 'CurrencyMismatch' });
  });

  it('stamps the row with the writer and the fingerprint', () => {
    const r = parseTransfer({ ...base, id: 'a', type: 'single', amountMinor: 7 });
    const plan = planBatch([{ request: r, writer: { epoch: 9, member: 'edge-b' } }], state());
    expect(plan.outcomes[0]).toMatchObject({
      kind: 'book',
      row: { epoch: 9, member: 'edge-b', fingerprint: fingerprint(r), state: 'posted' },
    });
  });
});

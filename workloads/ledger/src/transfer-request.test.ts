import { HttpError } from '@paygrid/workload-kit';
import { fingerprint, parseAccount, parseTransfer } from './transfer-request.js';

const hold = {
  id: 'authz_1',
  type: 'pending',
  debitAccountId: 'card:abc',
  creditAccountId: 'merchant:m-1',
  amountMinor: 1250,
  currency: 'EUR',
};

function fieldOf(fn: () => unknown): { field?: string; rule?: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    return (err as HttpError).extra;
  }
  throw new Error('expected a 400');
}

describe('parseTransfer', () => {
  it('accepts a hold and fills the defaults', () => {
    expect(parseTransfer(hold)).toEqual({ ...hold, timeoutSeconds: 0, standIn: false, metadata: {} });
  });

  it.each([
    ['a missing id', { id: undefined }, 'id', 'id'],
    ['an id with a space', { id: 'a b' }, 'id', 'id'],
    ['a float amount', { amountMinor: 12.5 }, 'amountMinor', 'positiveInteger'],
    ['an amount as a string', { amountMinor: '1250' }, 'amountMinor', 'positiveInteger'],
    ['a zero amount', { amountMinor: 0 }, 'amountMinor', 'positiveInteger'],
    ['a negative amount', { amountMinor: -1 }, 'amountMinor', 'positiveInteger'],
    ['an unsafe integer', { amountMinor: 2 ** 53 }, 'amountMinor', 'positiveInteger'],
    ['a lowercase currency', { currency: 'eur' }, 'currency', 'currency'],
    ['an unknown type', { type: 'refund' }, 'type', 'enum'],
    ['the same account twice', { creditAccountId: 'card:abc' }, 'creditAccountId', 'distinct'],
    ['a pendingId on a hold', { pendingId: 'x' }, 'pendingId', 'absent'],
    ['a negative timeout', { timeoutSeconds: -5 }, 'timeoutSeconds', 'range'],
    ['metadata with an object value', { metadata: { a: { b: 1 } } }, 'metadata.a', 'value'],
  ])('refuses %s, naming the field', (_what, change, field, rule) => {
    expect(fieldOf(() => parseTransfer({ ...hold, ...change }))).toMatchObject({ field, rule });
  });

  it('needs a pendingId for post and void, and no amount for a void', () => {
    expect(fieldOf(() => parseTransfer({ ...hold, type: 'post', amountMinor: undefined }))).toMatchObject({
      field: 'pendingId',
    });
    expect(
      fieldOf(() => parseTransfer({ ...hold, type: 'void', pendingId: 'authz_1', amountMinor: 5 })),
    ).toMatchObject({ field: 'amountMinor', rule: 'absent' });
    expect(
      parseTransfer({ ...hold, id: 'c1', type: 'post', pendingId: 'authz_1', amountMinor: undefined }),
    ).not.toHaveProperty('amountMinor');
  });

  it('names the element of a batch', () => {
    expect(fieldOf(() => parseTransfer({ ...hold, amountMinor: 1.5 }, 'transfers[3]'))).toMatchObject({
      field: 'transfers[3].amountMinor',
    });
  });
});

describe('fingerprint', () => {
  const base = parseTransfer(hold);
  it('ignores metadata and standIn, so a replayed hold equals the online one', () => {
    expect(fingerprint({ ...base, metadata: { latencyMs: 9 }, standIn: true })).toBe(fingerprint(base));
  });
  it.each([
    ['amount', { amountMinor: 1251 }],
    ['debit account', { debitAccountId: 'card:other' }],
    ['currency', { currency: 'USD' }],
    ['timeout', { timeoutSeconds: 60 }],
  ])('changes with the %s', (_what, change) => {
    expect(fingerprint({ ...base, ...change })).not.toBe(fingerprint(base));
  });
});

describe('parseAccount', () => {
  it('refuses both flags at once', () => {
    expect(
      fieldOf(() =>
        parseAccount({
          id: 'a',
          currency: 'EUR',
          flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true },
        }),
      ),
    ).toMatchObject({ field: 'flags', rule: 'exclusive' });
  });
});

import { decideIdempotency, fingerprint, transferId } from './idempotency.js';
import { parseAuthorize, parseCapture, parseIdempotencyKey } from './requests.js';

describe('transferId', () => {
  it('is deterministic in (gateway, key) and differs when either changes', () => {
    const id = transferId('authorize', 'payments/checkout', 'key-1');
    expect(id).toMatch(/^authz_[0-9a-f]{48}$/);
    expect(transferId('authorize', 'payments/checkout', 'key-1')).toBe(id);
    expect(transferId('authorize', 'payments/other', 'key-1')).not.toBe(id);
    expect(transferId('authorize', 'payments/checkout', 'key-2')).not.toBe(id);
    expect(transferId('capture', 'payments/checkout', 'key-1')).toMatch(/^capt_/);
    // Fixed values: a journal or a ledger written before keeps matching the ids derived now.
    expect(id).toBe('authz_392b0a277824d3bbd4eb50e95228c40d6f7817dbef8b2f5b');
    expect(fingerprint('capture', 'authz_a', [100])).toBe(
      '4933edbdfd74e38d790a4efc1d31ac821a8f40751c1dc143c5276012703f25a2',
    );
    // No ambiguity from concatenation: ("a/b", "c") is not ("a", "b/c").
    expect(transferId('authorize', 'a', 'bc')).not.toBe(transferId('authorize', 'ab', 'c'));
  });
});

describe('decideIdempotency', () => {
  const f1 = fingerprint('authorize', '', [100, 'EUR', 'tok', '12/30', 'm', 't']);
  it('new, replay of the same body, conflict on another body', () => {
    expect(decideIdempotency(undefined, f1)).toBe('new');
    expect(decideIdempotency({ fingerprint: f1 }, f1)).toBe('replay');
    const f2 = fingerprint('authorize', '', [101, 'EUR', 'tok', '12/30', 'm', 't']);
    expect(decideIdempotency({ fingerprint: f1 }, f2)).toBe('conflict');
  });
  it('the same fields for another operation or target conflict', () => {
    expect(fingerprint('capture', 'authz_a', [100])).not.toBe(fingerprint('reversal', 'authz_a', [100]));
    expect(fingerprint('capture', 'authz_a', [100])).not.toBe(fingerprint('capture', 'authz_b', [100]));
    expect(fingerprint('capture', 'authz_a', [undefined])).not.toBe(fingerprint('capture', 'authz_a', [0]));
  });
});

describe('request parsing', () => {
  const now = new Date('2026-12-06T00:00:00Z');
  const body = {
    amountMinor: 1250,
    currency: 'EUR',
    card: { pan: '4111111111111111', expiry: '12/30' },
    merchantId: 'm-1',
    terminalId: 't-1',
  };
  it('accepts a good body', () => {
    expect(parseAuthorize(body, now)).toMatchObject({
      ok: true,
      value: { amountMinor: 1250, merchantId: 'm-1' },
    });
  });
  it.each([
    [{ ...body, amountMinor: 0 }, 'amountMinor', 'positiveSafeInteger'],
    [{ ...body, amountMinor: 12.5 }, 'amountMinor', 'positiveSafeInteger'],
    [{ ...body, amountMinor: '1250' }, 'amountMinor', 'positiveSafeInteger'],
    [{ ...body, amountMinor: 2 ** 53 }, 'amountMinor', 'positiveSafeInteger'],
    [{ ...body, currency: 'eur' }, 'currency', 'iso4217'],
    [{ ...body, merchantId: 'a b' }, 'merchantId', 'identifier'],
    [{ ...body, terminalId: undefined }, 'terminalId', 'identifier'],
    [{ ...body, card: { pan: '4111111111111112', expiry: '12/30' } }, 'card.pan', 'luhn'],
  ])('refuses %j naming %s and %s', (b, field, rule) => {
    const r = parseAuthorize(b, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.body().error).toMatchObject({ reason: 'FieldValueInvalid', field, rule });
  });
  it('capture amount is optional but must be a positive integer', () => {
    expect(parseCapture(undefined)).toEqual({ ok: true, value: {} });
    expect(parseCapture({ amountMinor: 5 })).toEqual({ ok: true, value: { amountMinor: 5 } });
    expect(parseCapture({ amountMinor: -5 }).ok).toBe(false);
  });
  it('Idempotency-Key is required and one visible ASCII value', () => {
    expect(parseIdempotencyKey('k-1')).toEqual({ ok: true, value: 'k-1' });
    for (const [h, rule] of [
      [undefined, 'required'],
      ['', 'required'],
      ['has space', 'format'],
      [['a', 'b'], 'format'],
      ['x'.repeat(256), 'format'],
    ] as const) {
      const r = parseIdempotencyKey(h as string | string[] | undefined);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.body().error).toMatchObject({ field: 'Idempotency-Key', rule });
    }
  });
});

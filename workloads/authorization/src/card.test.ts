import { expiryValid, luhnValid, validateCard } from './card.js';

const NOW = new Date('2026-12-06T19:00:00Z');

describe('luhnValid', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '79927398713'])(
    'accepts %s',
    (pan) => expect(luhnValid(pan)).toBe(true),
  );
  it.each(['4111111111111112', '5555555555554440', '79927398710', '1234567812345678'])('refuses %s', (pan) =>
    expect(luhnValid(pan)).toBe(false),
  );
});

describe('expiryValid', () => {
  it('is valid through the last day of the expiry month and not after', () => {
    expect(expiryValid(12, 26, new Date('2026-12-31T23:59:59Z'))).toBe(true);
    expect(expiryValid(12, 26, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(expiryValid(11, 26, NOW)).toBe(false);
    expect(expiryValid(1, 27, NOW)).toBe(true);
  });
});

describe('validateCard', () => {
  const ok = (pan: string, expiry = '12/26') => validateCard({ pan, expiry }, NOW);

  it('accepts a valid card, strips spaces, keeps the last four', () => {
    expect(ok('4111 1111 1111 1111')).toEqual({
      ok: true,
      card: { pan: '4111111111111111', last4: '1111', expiry: '12/26' },
    });
  });

  it.each([
    [{ pan: '4111-1111-1111-1111', expiry: '12/26' }, 'card.pan', 'digits'],
    [{ pan: '41111111111', expiry: '12/26' }, 'card.pan', 'length'], // 11 digits
    [{ pan: '41111111111111111111', expiry: '12/26' }, 'card.pan', 'length'], // 20 digits
    [{ pan: '4111111111111112', expiry: '12/26' }, 'card.pan', 'luhn'],
    [{ pan: 4111111111111111, expiry: '12/26' }, 'card.pan', 'required'],
    [{ pan: '4111111111111111', expiry: '13/26' }, 'card.expiry', 'format'],
    [{ pan: '4111111111111111', expiry: '1/26' }, 'card.expiry', 'format'],
    [{ pan: '4111111111111111', expiry: '11/26' }, 'card.expiry', 'notExpired'],
    [{ pan: '4111111111111111' }, 'card.expiry', 'required'],
    [null, 'card', 'required'],
  ])('refuses %j: %s %s', (card, field, rule) => {
    expect(validateCard(card, NOW)).toMatchObject({ ok: false, field, rule });
  });

  it('accepts the length boundaries 12 and 19 digits', () => {
    expect(ok('100000000008').ok).toBe(true); // 12 digits, Luhn-valid
    expect(ok('1000000000000000009').ok).toBe(true); // 19 digits, Luhn-valid
    expect(luhnValid('100000000008')).toBe(true);
  });

  it('never quotes the PAN in a message', () => {
    for (const pan of ['4111111111111112', '411111111111111111111', '4111x11111111111']) {
      const r = validateCard({ pan, expiry: '12/26' }, NOW);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).not.toContain(pan.slice(0, 12));
    }
  });
});

import { isLuhnValid, last4, luhnCheckDigit, testPan } from './cards.js';
import { randomInt, seededRandom } from './prng.js';

describe('test cards', () => {
  it('computes the Luhn check digit of known numbers', () => {
    expect(luhnCheckDigit('411111111111111')).toBe(1);
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('79927398713')).toBe(true);
  });

  it('makes valid, distinct 16-digit PANs, the same for the same seed', () => {
    const a = Array.from(
      { length: 200 },
      (
        (r) => () =>
          testPan(r)
      )(seededRandom(7)),
    );
    const b = Array.from(
      { length: 200 },
      (
        (r) => () =>
          testPan(r)
      )(seededRandom(7)),
    );
    expect(a).toEqual(b);
    for (const pan of a) {
      expect(pan).toMatch(/^4\d{15}$/);
      expect(isLuhnValid(pan)).toBe(true);
    }
    expect(new Set(a).size).toBeGreaterThan(190);
    expect(last4(a[0]!)).toBe(a[0]!.slice(12));
  });
});

describe('seeded PRNG', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1)', () => {
    const x = seededRandom(1);
    const y = seededRandom(1);
    const z = seededRandom(2);
    const xs = Array.from({ length: 1000 }, x);
    expect(Array.from({ length: 1000 }, y)).toEqual(xs);
    expect(Array.from({ length: 1000 }, z)).not.toEqual(xs);
    for (const v of xs) expect(v >= 0 && v < 1).toBe(true);
    // Roughly uniform: each tenth gets 60..140 of 1000.
    const tenths = new Array<number>(10).fill(0);
    for (const v of xs) tenths[Math.floor(v * 10)]!++;
    for (const n of tenths) expect(n).toBeGreaterThan(60);
  });

  it('randomInt covers both ends and refuses a bad range', () => {
    const r = seededRandom(3);
    const seen = new Set(Array.from({ length: 500 }, () => randomInt(r, 1, 4)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
    expect(() => randomInt(r, 5, 1)).toThrow(/not a range/);
  });
});

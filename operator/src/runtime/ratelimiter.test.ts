import fc from 'fast-check';
import { FakeClock } from './clock.js';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './ratelimiter.js';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from 5 ms per failure of an item and caps at 1000 s', () => {
    const rl = new ItemExponentialFailureRateLimiter();
    const delays = Array.from({ length: 20 }, () => rl.when('a'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s, still under the cap
    expect(delays[18]).toBe(1_000_000);
    expect(delays[19]).toBe(1_000_000);
    expect(rl.numRequeues('a')).toBe(20);
  });

  it('stays at the cap however many failures (no overflow to Infinity or NaN)', () => {
    const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 5000; i++) last = rl.when('x');
    expect(last).toBe(1_000_000);
  });

  it('tracks items separately and forget() starts an item over', () => {
    const rl = new ItemExponentialFailureRateLimiter();
    rl.when('a');
    rl.when('a');
    expect(rl.when('b')).toBe(5);
    expect(rl.when('a')).toBe(20);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
    expect(rl.numRequeues('b')).toBe(1);
  });

  it('is non-decreasing and bounded for any base and cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (base, extra) => {
          const max = base + extra;
          const rl = new ItemExponentialFailureRateLimiter(base, max);
          let prev = 0;
          for (let i = 0; i < 80; i++) {
            const d = rl.when('k');
            if (d < prev || d > max || d < base) return false;
            prev = d;
          }
          return prev === max;
        },
      ),
    );
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst of 100 through, then spaces the rest at 10 per second', () => {
    const clock = new FakeClock(1_000);
    const rl = new BucketRateLimiter(10, 100, clock);
    for (let i = 0; i < 100; i++) expect(rl.when(`k${i}`)).toBe(0);
    expect(rl.when('x')).toBeCloseTo(100);
    expect(rl.when('y')).toBeCloseTo(200);
    expect(rl.when('z')).toBeCloseTo(300);
  });

  it('refills over time but never beyond the burst', async () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter(10, 5, clock);
    for (let i = 0; i < 5; i++) rl.when('a');
    expect(rl.when('a')).toBeCloseTo(100);
    await clock.advance(60_000); // a minute refills far more than 5 tokens
    for (let i = 0; i < 5; i++) expect(rl.when('a')).toBe(0);
    expect(rl.when('a')).toBeCloseTo(100);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('uses the longer of per-item backoff and the global bucket', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter({ clock });
    expect(rl.when('a')).toBe(5);
    expect(rl.when('a')).toBe(10);
    // Drain the bucket with other items: 98 tokens left after the two above.
    for (let i = 0; i < 98; i++) rl.when(`other-${i}`);
    // A fresh item would get 5 ms from its own backoff, but the bucket is now in debt.
    expect(rl.when('fresh')).toBeCloseTo(100);
  });

  it('forget() resets the per-item part', () => {
    const rl = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000));
    rl.when('a');
    rl.when('a');
    expect(rl.numRequeues('a')).toBe(2);
    rl.forget('a');
    expect(rl.when('a')).toBe(5);
  });
});

import {
  estimateQuantile,
  LATENCY_BUCKET_COUNT,
  LATENCY_BUCKETS_MS,
  latencyBucket,
} from './latency-buckets.js';

const counts = (entries: Record<number, number>): number[] => {
  const c = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const [i, n] of Object.entries(entries)) c[Number(i)] = n;
  return c;
};

describe('latency buckets', () => {
  it('puts a latency in the first bucket whose upper bound holds it (bounds inclusive)', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(2)).toBe(1);
    expect(latencyBucket(3)).toBe(2);
    expect(latencyBucket(10_000)).toBe(LATENCY_BUCKETS_MS.length - 1);
    expect(latencyBucket(10_001)).toBe(LATENCY_BUCKETS_MS.length);
  });

  it('estimates quantiles by interpolating inside the bucket that holds the rank', () => {
    // 100 observations in (10, 20]: the median is half way, p99 near the top.
    expect(estimateQuantile(counts({ 4: 100 }), 0.5)).toBe(15);
    expect(estimateQuantile(counts({ 4: 100 }), 0.99)).toBeCloseTo(19.9, 10);
    // 90 fast in [0, 1], 10 slow in (100, 200]: p50 is fast, p99 is slow.
    const mixed = counts({ 0: 90, 7: 10 });
    expect(estimateQuantile(mixed, 0.5)).toBeCloseTo(50 / 90, 10);
    expect(estimateQuantile(mixed, 0.99)).toBe(190);
    expect(estimateQuantile(mixed, 1)).toBe(200);
  });

  it('answers the last finite bound for ranks in the overflow bucket, and nothing without data', () => {
    expect(estimateQuantile(counts({ 13: 5 }), 0.5)).toBe(10_000);
    expect(estimateQuantile(counts({}), 0.5)).toBeUndefined();
    expect(() => estimateQuantile(counts({ 0: 1 }), 0)).toThrow(RangeError);
    expect(() => estimateQuantile(counts({ 0: 1 }), 1.5)).toThrow(RangeError);
  });
});

// Authorization latency as a fixed histogram: counts per bucket add up exactly across minutes,
// sites and restarts (a percentile does not), and p50/p99 are estimated from the counts the way
// Prometheus' histogram_quantile does. The bounds are part of the stored data (a bucket is stored
// by its index): changing them needs a new table, not an edit here.

/** Upper bounds (inclusive) in milliseconds; one more bucket past the last holds everything slower. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
];

/** Number of buckets, the overflow bucket included. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_MS.length + 1;

/** The bucket a latency falls in: the first whose upper bound is at least `ms`. */
export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (ms <= (LATENCY_BUCKETS_MS[i] as number)) return i;
  return LATENCY_BUCKETS_MS.length;
}

/**
 * The q-quantile (0 < q <= 1) estimated from per-bucket counts, in milliseconds: find the bucket
 * holding the rank q·total and interpolate linearly inside it (its lower bound is the previous
 * bucket's upper bound, 0 for the first). A rank in the overflow bucket answers the last finite
 * bound: the honest "at least". undefined when there are no observations.
 */
export function estimateQuantile(counts: readonly number[], q: number): number | undefined {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] ?? 0;
    if (inBucket > 0 && below + inBucket >= rank) {
      if (i >= LATENCY_BUCKETS_MS.length) return LATENCY_BUCKETS_MS.at(-1) as number;
      const lower = i === 0 ? 0 : (LATENCY_BUCKETS_MS[i - 1] as number);
      const upper = LATENCY_BUCKETS_MS[i] as number;
      return lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return LATENCY_BUCKETS_MS.at(-1) as number;
}

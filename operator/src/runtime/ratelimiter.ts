/**
 * Rate limiters for the work queue, after client-go's `workqueue` package. Durations are in
 * milliseconds.
 */
import { type Clock, realClock } from './clock.js';

export interface RateLimiter<T = string> {
  /** How long `item` should wait before it is processed again; records one more failure. */
  when(item: T): number;
  /** Stops tracking `item` (it succeeded): its backoff starts over. */
  forget(item: T): void;
  /** How many times `item` has been rate limited since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * Per-item exponential backoff: `baseDelay * 2^failures`, capped at `maxDelay` (client-go's
 * ItemExponentialFailureRateLimiter; defaults 5 ms and 1000 s).
 */
export class ItemExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1_000_000,
  ) {
    if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs)) {
      throw new RangeError(`invalid backoff ${baseDelayMs}ms..${maxDelayMs}ms`);
    }
  }

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff < this.maxDelayMs ? backoff : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * A global token bucket (client-go's BucketRateLimiter over golang.org/x/time/rate): `qps`
 * tokens per second, at most `burst` saved up. Each `when` reserves one token and returns how
 * long until that reservation is honoured; reservations may go into debt, so a burst of
 * failures is spread out at `qps`.
 */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`invalid token bucket qps=${qps} burst=${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.qps);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

export interface DefaultRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
  clock?: Clock;
}

/**
 * client-go's DefaultControllerRateLimiter: max of per-item exponential backoff (5 ms → 1000 s)
 * and a global token bucket (10 qps, burst 100).
 */
export function defaultControllerRateLimiter<T = string>(
  opts: DefaultRateLimiterOptions = {},
): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000),
    new BucketRateLimiter<T>(opts.qps ?? 10, opts.burst ?? 100, opts.clock ?? realClock),
  );
}

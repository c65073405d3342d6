/**
 * A per-key work queue with client-go's guarantees:
 * - an item added several times while queued is processed once (the `dirty` set);
 * - an item is never handed to two workers at once (the `processing` set); if it is added
 *   while being processed it is queued again when `done` is called;
 * - rate-limited re-adds (`addRateLimited`) and delayed adds (`addAfter`);
 * - `shutDown` stops handing out work; `shutDownWithDrain` also waits for in-flight items.
 * One addition: an urgent lane, handed out before the normal one. Work that finishes what an
 * earlier pass started (a replacement's workload just became available) goes there, so in an
 * outage that queues every gateway at once the first ones serve again within seconds instead of
 * after every gateway's first pass. An urgent add of a key already queued moves it up.
 * Durations are in milliseconds.
 */
import { type Clock, type TimerHandle, realClock } from './clock.js';
import { type RateLimiter, defaultControllerRateLimiter } from './ratelimiter.js';

/** Hooks a metrics provider implements; all optional, all cheap and synchronous. */
export interface WorkQueueMetricsHooks {
  /** An item became pending (a de-duplicated add does not count). */
  add?(): void;
  /** The number of items waiting to be handed out changed. */
  depth?(depth: number): void;
  /** An item was handed out after waiting `ms` since it was added. */
  queueDuration?(ms: number): void;
  /** An item finished after being processed for `ms`. */
  workDuration?(ms: number): void;
  /** An item was re-added through the rate limiter. */
  retry?(): void;
}

export interface WorkQueueOptions<T> {
  /** Name used in metrics and logs. */
  name?: string;
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
  metrics?: WorkQueueMetricsHooks;
}

interface Waiting {
  readyAt: number;
  timer: TimerHandle;
}

export interface AddOptions {
  /** Hand it out before every non-urgent item. */
  readonly urgent?: boolean;
}

/** A FIFO with O(1) shift (a head index, compacted now and then). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head] as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class WorkQueue<T = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly metrics: WorkQueueMetricsHooks;

  private readonly normal = new Fifo<T>();
  private readonly urgent = new Fifo<T>();
  /** Entries left in the normal lane by keys that moved to the urgent one (skipped there). */
  private readonly stale = new Map<T, number>();
  /** Keys queued (or to be queued by done()) in the urgent lane. */
  private readonly urgentKeys = new Set<T>();
  /** Keys waiting to be handed out, whichever lane. */
  private queued = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Map<T, number>();
  private readonly addedAt = new Map<T, number>();
  private readonly waiting = new Map<T, Waiting>();
  private readonly getters: ((item: T | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shutting = false;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.name = opts.name ?? 'workqueue';
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>({ clock: this.clock });
    this.metrics = opts.metrics ?? {};
  }

  /**
   * Marks `item` as needing processing. No-op if it is already pending (except that an urgent add
   * moves a pending item to the urgent lane) or the queue is shut down.
   */
  add(item: T, opts: AddOptions = {}): void {
    if (this.shutting) return;
    if (this.dirty.has(item)) {
      if (opts.urgent && !this.urgentKeys.has(item)) this.promote(item);
      return;
    }
    this.dirty.add(item);
    if (opts.urgent) this.urgentKeys.add(item);
    if (!this.addedAt.has(item)) this.addedAt.set(item, this.clock.now());
    this.metrics.add?.();
    if (this.processing.has(item)) return; // re-queued by done()
    this.push(item);
  }

  /** Adds `item` after `delayMs`. If it is already waiting to be added sooner, the sooner time wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.shutting) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      const w = this.waiting.get(item);
      if (w?.timer !== timer) return;
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { readyAt, timer });
  }

  /** Adds `item` after the rate limiter says it may (a retry). */
  addRateLimited(item: T): void {
    if (this.shutting) return;
    this.metrics.retry?.();
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Resets the backoff of `item` (call on success). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /**
   * Resolves with the next item to process, waiting if none is ready; resolves `undefined` once
   * the queue is shut down. The caller must call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.shutting) return Promise.resolve(undefined);
    if (this.size() > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `item`; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    const started = this.processing.get(item);
    if (started === undefined) return;
    this.processing.delete(item);
    this.metrics.workDuration?.(this.clock.now() - started);
    if (this.dirty.has(item) && !this.shutting) this.push(item);
    if (this.shutting && this.processing.size === 0) this.resolveDrain();
  }

  /** Items waiting to be handed out (not counting delayed or in-flight items). */
  len(): number {
    return this.size();
  }

  /** Items handed out and not yet `done`. */
  inFlight(): number {
    return this.processing.size;
  }

  /** Items scheduled by `addAfter`/`addRateLimited` and not yet added. */
  delayed(): number {
    return this.waiting.size;
  }

  isProcessing(item: T): boolean {
    return this.processing.has(item);
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  /** Stops handing out work (pending and future `get`s resolve `undefined`) and drops delayed adds. */
  shutDown(): void {
    if (this.shutting) return;
    this.shutting = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    const getters = this.getters.splice(0);
    for (const g of getters) g(undefined);
    if (this.processing.size === 0) this.resolveDrain();
  }

  /** `shutDown`, then resolves once every in-flight item is `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Sum of the time spent so far by items still in flight, in seconds. */
  unfinishedWorkSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const started of this.processing.values()) total += now - started;
    return total / 1000;
  }

  /** The time spent so far by the longest-running in-flight item, in seconds. */
  longestRunningProcessorSeconds(): number {
    const now = this.clock.now();
    let longest = 0;
    for (const started of this.processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }

  private size(): number {
    return this.queued;
  }

  /** A pending non-urgent item goes urgent: queued now in the urgent lane, its old entry skipped. */
  private promote(item: T): void {
    this.urgentKeys.add(item);
    if (this.processing.has(item)) return; // done() queues it, urgently
    this.stale.set(item, (this.stale.get(item) ?? 0) + 1);
    this.urgent.push(item);
  }

  private push(item: T): void {
    (this.urgentKeys.has(item) ? this.urgent : this.normal).push(item);
    this.queued++;
    this.metrics.depth?.(this.size());
    while (this.getters.length > 0 && this.size() > 0) {
      const getter = this.getters.shift();
      const next = this.take();
      getter?.(next);
    }
  }

  private take(): T | undefined {
    if (this.size() === 0) return undefined;
    const item = this.urgent.length > 0 ? (this.urgent.shift() as T) : this.takeNormal();
    this.urgentKeys.delete(item);
    this.queued--;
    this.metrics.depth?.(this.size());
    const now = this.clock.now();
    const added = this.addedAt.get(item);
    this.addedAt.delete(item);
    if (added !== undefined) this.metrics.queueDuration?.(now - added);
    this.dirty.delete(item);
    this.processing.set(item, now);
    return item;
  }

  private takeNormal(): T {
    for (;;) {
      const item = this.normal.shift() as T;
      const left = this.stale.get(item);
      if (left === undefined) return item;
      if (left > 1) this.stale.set(item, left - 1);
      else this.stale.delete(item);
    }
  }

  private resolveDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

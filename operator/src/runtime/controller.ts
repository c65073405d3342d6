/**
 * A controller: N workers taking keys from a work queue and calling `reconcile(key)`, with
 * controller-runtime's result handling:
 * - throws/rejects → re-queued with backoff (rate limited), result "error";
 * - `{ requeueAfter: ms }` → backoff forgotten, re-queued after ms, result "requeue_after";
 * - `{ requeue: true }` → re-queued with backoff, result "requeue";
 * - otherwise → backoff forgotten, result "success".
 * Each reconcile gets a reconcile ID and a child logger carrying controller, key and ID.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, realClock } from './clock.js';
import type { EventHandler } from './informer.js';
import { type Logger, silentLogger } from './logger.js';
import type { ReconcileResultLabel, RuntimeMetrics } from './metrics.js';
import { type RateLimiter, defaultControllerRateLimiter } from './ratelimiter.js';
import { WorkQueue, type AddOptions } from './workqueue.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (periodic work, polling). */
  requeueAfter?: number;
  /** Reconcile again soon, with backoff (prefer throwing or `requeueAfter`). */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Logger with `controller`, `key` and `reconcileID` bound. */
  log: Logger;
  reconcileID: string;
  /** Aborted when the controller is told to abandon in-flight work (`stop({ abort: true })`). */
  signal: AbortSignal;
}

export type Reconciler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  /** The controller name: metrics label and queue name. */
  name: string;
  reconcile: Reconciler;
  /** Concurrent workers (default 1). Never two on the same key. */
  maxConcurrentReconciles?: number;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  rateLimiter?: RateLimiter<string>;
  clock?: Clock;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly workers: number;
  private readonly reconcile: Reconciler;
  private readonly log: Logger;
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly clock: Clock;
  private readonly abortController = new AbortController();
  private running?: Promise<void>;
  private untrack?: () => void;
  private active = 0;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.reconcile = opts.reconcile;
    this.workers = Math.max(1, Math.floor(opts.maxConcurrentReconciles ?? 1));
    this.log = (opts.logger ?? silentLogger()).child({ controller: opts.name });
    this.metrics = opts.metrics;
    this.clock = opts.clock ?? realClock;
    this.queue = new WorkQueue<string>({
      name: opts.name,
      clock: this.clock,
      rateLimiter: opts.rateLimiter ?? defaultControllerRateLimiter<string>({ clock: this.clock }),
      ...(opts.metrics ? { metrics: opts.metrics.workqueueHooks(opts.name) } : {}),
    });
    if (this.metrics) {
      this.metrics.initController(this.name, this.workers);
      this.untrack = this.metrics.trackQueue(this.name, this.queue);
    }
  }

  /** Queues `key` for reconciliation (de-duplicated; `urgent` goes before the rest). */
  enqueue(key: string, opts: AddOptions = {}): void {
    this.queue.add(key, opts);
  }

  /** Queues `key` after `delayMs`. */
  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Informer handlers that enqueue the key of every added, updated or deleted object. */
  eventHandler<T>(keyOf: (obj: T) => string | undefined): EventHandler<T> {
    const enqueue = (obj: T): void => {
      const key = keyOf(obj);
      if (key) this.enqueue(key);
    };
    return { onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue };
  }

  /** Starts the workers. Resolves once they have all exited (after `stop`). */
  start(): Promise<void> {
    if (!this.running) {
      this.log.info({ workers: this.workers }, 'starting workers');
      const workers = Array.from({ length: this.workers }, () => this.worker());
      this.running = Promise.all(workers).then(() => {
        this.log.info('all workers finished');
      });
    }
    return this.running;
  }

  /**
   * Stops taking work and waits for in-flight reconciles to finish. With `abort`, in-flight
   * reconciles see their `signal` aborted (they should wind down promptly).
   */
  async stop(opts: { abort?: boolean } = {}): Promise<void> {
    if (opts.abort) this.abortController.abort();
    await this.queue.shutDownWithDrain();
    await this.running;
    this.untrack?.();
  }

  /** Reconciles in progress. */
  activeWorkers(): number {
    return this.active;
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.processOne(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async processOne(key: string): Promise<void> {
    const reconcileID = randomUUID();
    const log = this.log.child({ key, reconcileID });
    const started = this.clock.now();
    this.active++;
    this.metrics?.activeWorkers.set({ controller: this.name }, this.active);
    let label: ReconcileResultLabel;
    try {
      const result =
        (await this.reconcile(key, { log, reconcileID, signal: this.abortController.signal })) ?? {};
      if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, result.requeueAfter);
        label = 'requeue_after';
        log.debug({ requeueAfterMs: result.requeueAfter }, 'reconciled; requeue after delay');
      } else if (result.requeue) {
        this.queue.addRateLimited(key);
        label = 'requeue';
        log.debug('reconciled; requeue with backoff');
      } else {
        this.queue.forget(key);
        label = 'success';
        log.debug('reconciled');
      }
    } catch (err) {
      label = 'error';
      this.queue.addRateLimited(key);
      log.error({ err, retries: this.queue.numRequeues(key) }, 'reconciler error');
    } finally {
      this.active--;
      this.metrics?.activeWorkers.set({ controller: this.name }, this.active);
    }
    this.metrics?.observeReconcile(this.name, label, (this.clock.now() - started) / 1000);
  }
}

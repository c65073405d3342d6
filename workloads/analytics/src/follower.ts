// Follows the ledger's change feed: long-poll a page after the committed cursor, apply it (store.ts,
// one transaction with the cursor), repeat. A ledger that does not answer is retried with backoff
// and shown in paygrid_analytics_feed_up, never in readiness; a database error leaves the cursor
// where it was, so the same page is fetched again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { Logger } from '@paygrid/workload-kit';
import { fetchFeedPage } from './feed-client.js';
import type { FeedPage } from './feed-event.js';
import type { AnalyticsMetrics } from './metrics.js';
import { readTotals } from './queries.js';
import { applyEvents, readCursor } from './store.js';
import { foldedTotals, type Totals } from './totals.js';

export interface FollowerOptions {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly metrics: AnalyticsMetrics;
  readonly totals: Totals;
  readonly ledgerUrl: () => string | undefined;
  readonly batch: number;
  readonly waitSeconds: number;
  readonly now?: () => number;
}

export interface FollowerState {
  readonly cursor: number;
  readonly lastEventAtMs: number | undefined;
  readonly lagSeconds: number;
  readonly up: boolean;
}

const MAX_BACKOFF_MS = 5000;

export class Follower {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private cursor = 0;
  private lastEventAtMs: number | undefined;
  private lagSeconds = 0;
  private up = false;
  private failures = 0;
  private lastProblem: string | undefined;

  constructor(private readonly o: FollowerOptions) {}

  get state(): FollowerState {
    return {
      cursor: this.cursor,
      lastEventAtMs: this.lastEventAtMs,
      lagSeconds: this.lagSeconds,
      up: this.up,
    };
  }

  /** Loads the cursor and the totals from PostgreSQL, then follows until stop(). */
  async start(): Promise<void> {
    const c = await readCursor(this.o.pool);
    this.o.totals.replace(await readTotals(this.o.pool));
    this.cursor = c.seq;
    this.lastEventAtMs = c.lastEventAtMs;
    this.o.metrics.cursor.set(this.cursor);
    this.o.metrics.feedUp.set(0);
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.once(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.problem((err as Error).message);
        this.failures++;
        await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 6)), undefined, {
          signal,
        }).catch(() => undefined);
      }
    }
  }

  private async once(signal: AbortSignal): Promise<void> {
    const baseUrl = this.o.ledgerUrl();
    if (baseUrl === undefined) {
      this.setUp(false);
      throw new Error('no ledger URL: the contract has no ledger-endpoint and PAYGRID_LEDGER_URL is not set');
    }
    let page: FeedPage;
    try {
      page = await fetchFeedPage({
        baseUrl,
        after: this.cursor,
        limit: this.o.batch,
        waitSeconds: this.o.waitSeconds,
        signal,
      });
    } catch (err) {
      this.o.metrics.feedRequests.inc({ result: 'error' });
      this.setUp(false);
      throw err;
    }
    this.o.metrics.feedRequests.inc({ result: 'ok' });
    this.setUp(true);
    if (page.events.length === 0) {
      this.lagSeconds = 0;
      this.o.metrics.feedLag.set(0);
      this.failures = 0;
      return;
    }
    const end = this.o.metrics.commitSeconds.startTimer();
    const applied = await applyEvents(this.o.pool, page.events);
    end();
    if (applied.folded) {
      const f = applied.folded;
      // Another writer moved the cursor since we last committed: our mirror misses its batches.
      if (applied.cursorBefore !== this.cursor) this.o.totals.replace(await readTotals(this.o.pool));
      else this.o.totals.add(foldedTotals(f));
      this.o.metrics.events.inc({ outcome: 'counted' }, f.outcomes.counted);
      this.o.metrics.events.inc({ outcome: 'ignored' }, f.outcomes.ignored);
      this.o.metrics.events.inc({ outcome: 'skipped' }, f.outcomes.skipped);
      for (const [why, n] of Object.entries(f.skipped)) {
        this.o.metrics.skipped.inc({ why }, n);
        this.o.logger.warn({ why, events: n, cursor: f.lastSeq }, 'feed events skipped: unusable content');
      }
      if (f.lastAtMs !== undefined) this.lastEventAtMs = f.lastAtMs;
    } else if (applied.cursor !== this.cursor) {
      this.o.totals.replace(await readTotals(this.o.pool));
    }
    this.cursor = applied.cursor;
    this.o.metrics.cursor.set(this.cursor);
    // A full page means more is waiting: the lag is the age of what we just counted.
    const now = (this.o.now ?? Date.now)();
    this.lagSeconds =
      page.events.length >= this.o.batch && this.lastEventAtMs !== undefined
        ? Math.max(0, (now - this.lastEventAtMs) / 1000)
        : 0;
    this.o.metrics.feedLag.set(this.lagSeconds);
    this.failures = 0;
  }

  private setUp(up: boolean): void {
    if (up && !this.up && this.lastProblem !== undefined)
      this.o.logger.info({ cursor: this.cursor }, 'the ledger change feed answers again');
    if (up) this.lastProblem = undefined;
    this.up = up;
    this.o.metrics.feedUp.set(up ? 1 : 0);
  }

  private problem(message: string): void {
    if (message !== this.lastProblem)
      this.o.logger.warn(
        { problem: message, cursor: this.cursor },
        'cannot follow the change feed; retrying',
      );
    this.lastProblem = message;
  }
}

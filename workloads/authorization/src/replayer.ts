// Store-and-forward: sends the journal's unacknowledged entries to the ledger in journal order
// (`POST /v1/transfers/batch`, `standIn: true`) whenever the ledger answers, and marks each one
// forwarded only after the ledger acknowledged it (201, or 200 for a duplicate), durably. A crash
// anywhere in between replays the same transfer ids, which the ledger answers as duplicates: each
// stand-in approval is booked exactly once. It runs whatever the site's role or fence: what was
// approved at the terminal must reach the ledger.
import type { Logger } from '@paygrid/workload-kit';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { Journal, JournalWrite } from './journal.js';
import type { LedgerClient } from './ledger-client.js';
import type { AuthorizationMetrics } from './metrics.js';
import type { OfflineExposureBook } from './offline-exposure.js';
import { nextReplayBatch, replayOutcome } from './replay-plan.js';

export interface ReplayerOptions {
  readonly journal: Journal;
  readonly ledger: LedgerClient;
  readonly breaker: CircuitBreaker;
  readonly exposure: OfflineExposureBook;
  readonly metrics: AuthorizationMetrics;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly batchSize: number;
  /** Replay calls may take longer than an authorization's deadline. */
  readonly timeoutMs: number;
}

export class Replayer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ReplayerOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.drain().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * The last replay before the process exits. A drained pod takes its journal with it (an
   * emptyDir), so what is still queued is sent now, batch after batch, until the journal is empty
   * or `graceMs` is spent; the breaker is not asked (a last chance, not customer traffic).
   * Resolves with how many entries are still queued.
   */
  async finish(graceMs: number): Promise<number> {
    const until = Date.now() + graceMs;
    const left = () => until - Date.now();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    while (this.options.journal.queued(1).length > 0 && left() > 0) {
      const progressed = await this.replayOnce(Math.max(1, Math.min(this.options.timeoutMs, left())));
      // No progress (the ledger did not answer, or refused the batch): try again shortly.
      if (!progressed && left() > 0)
        await new Promise((r) => setTimeout(r, Math.min(this.options.intervalMs, left())));
    }
    return this.options.journal.queued(this.options.batchSize).length;
  }

  /** Replays until the journal is empty, the ledger stops answering, or 100 batches went. */
  drain(): Promise<void> {
    this.running ??= this.drainRounds().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drainRounds(): Promise<void> {
    for (let round = 0; round < 100 && !this.stopped; round++) {
      if (!this.options.breaker.allowsRequest()) return;
      if (!(await this.replayOnce())) return;
    }
  }

  /** One batch; true when it made progress and more may be queued. */
  private async replayOnce(timeoutMs = this.options.timeoutMs): Promise<boolean> {
    const { journal, ledger, breaker, logger, metrics } = this.options;
    const batch = nextReplayBatch(journal.queued(this.options.batchSize), this.options.batchSize);
    if (batch.length === 0) return false;
    const result = await ledger.call(
      'POST',
      '/v1/transfers/batch',
      { transfers: batch.map((e) => ({ ...e.transfer, standIn: true })) },
      timeoutMs,
    );
    if (result.kind === 'unavailable') {
      breaker.onFailure();
      logger.warn(
        { cause: result.cause, queued: batch.length },
        'journal replay: the ledger did not answer; will retry',
      );
      return false;
    }
    breaker.onSuccess();
    const results = (result.body as { results?: unknown[] } | undefined)?.results;
    if (result.status < 200 || result.status >= 300 || !Array.isArray(results)) {
      logger.error(
        { status: result.status, reason: (result.body as { error?: { reason?: string } })?.error?.reason },
        'journal replay: the ledger refused the batch; will retry',
      );
      return false;
    }
    const writes: JournalWrite[] = [];
    const settled: typeof batch = [];
    let retry = false;
    batch.forEach((entry, i) => {
      const outcome = replayOutcome(entry, results[i] as Parameters<typeof replayOutcome>[1]);
      if (outcome.settle === 'retry') {
        retry = true;
        return;
      }
      if (outcome.settle === 'rejected')
        logger.error(
          { transferId: entry.transfer.id, kind: entry.kind, reason: outcome.reason },
          'journal replay: the ledger refused an entry for good; kept as rejected',
        );
      writes.push({
        kind: 'settled',
        seq: entry.seq,
        state: outcome.settle,
        ...(outcome.settle === 'rejected' ? { reason: outcome.reason } : {}),
      });
      settled.push(entry);
      metrics.replayed.inc({ result: outcome.settle });
    });
    if (writes.length > 0) await journal.write(writes);
    for (const entry of settled)
      if (entry.kind === 'hold') this.options.exposure.release(entry.currency, entry.exposureMinor);
    if (settled.length > 0)
      logger.info({ forwarded: settled.length }, 'journal replay: entries acknowledged by the ledger');
    return !retry;
  }
}

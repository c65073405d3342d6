// The single writer: one PostgreSQL connection of its own, one group-commit queue in front of it.
// A lost connection fails the batch in flight (its callers get 503 and retry by id, which is
// idempotent) and is replaced on the next batch.
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '@paygrid/workload-kit';
import { GroupCommitter } from './group-commit.js';
import type { LedgerMetrics } from './metrics.js';
import { commitBatch, type Job, type JobResult, type LedgerSelf } from './write-transaction.js';

export interface WriterOptions {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly metrics: LedgerMetrics;
  readonly maxBatch: number;
  /** Who this ledger is now (epoch from the live contract). */
  readonly self: () => LedgerSelf;
  /** Called after a commit that wrote events. */
  readonly onCommit: () => void;
}

export class Writer {
  private client: PoolClient | undefined;
  private readonly committer: GroupCommitter<Job, JobResult>;

  constructor(private readonly options: WriterOptions) {
    this.committer = new GroupCommitter<Job, JobResult>({
      maxBatch: options.maxBatch,
      flush: (jobs) => this.flush(jobs),
      onFlush: (size, ms) => {
        options.metrics.batchSize.observe(size);
        options.metrics.commitSeconds.observe(ms / 1000);
      },
    });
  }

  submit(job: Job): Promise<JobResult> {
    return this.committer.submit(job);
  }

  get queued(): number {
    return this.committer.pending;
  }

  private async flush(jobs: readonly Job[]): Promise<JobResult[]> {
    if (!this.client) {
      const client = await this.options.pool.connect();
      client.on('error', (err) => {
        this.options.logger.warn({ err }, 'writer connection failed');
        // Released once, by whichever of this and the failed batch's catch comes first: a second
        // release throws, here inside an event handler, which would crash the ledger.
        if (this.client !== client) return;
        this.client = undefined;
        client.release(err);
      });
      this.client = client;
    }
    const client = this.client;
    try {
      const results = await commitBatch(client, jobs, this.options.self());
      this.options.onCommit();
      return results;
    } catch (err) {
      // The connection may be broken: start the next batch on a fresh one.
      if (this.client === client) {
        this.client = undefined;
        client.release(err as Error);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.committer.idle();
    this.client?.release();
    this.client = undefined;
  }
}

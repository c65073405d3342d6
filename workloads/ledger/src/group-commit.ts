// Group commit: requests that arrive while a transaction is in flight wait together and go into
// the next one, so throughput is bounded by transactions per second times batch size, not by one
// WAL flush per transfer. One flush at a time (single writer); each caller's promise settles only
// after the flush that holds its job has returned (committed or failed).

export interface GroupCommitOptions<J, R> {
  /** Applies a batch; resolves with one result per job, in order. */
  readonly flush: (jobs: readonly J[]) => Promise<R[]>;
  /** Largest batch. */
  readonly maxBatch: number;
  /** Called after each flush (metrics). */
  readonly onFlush?: (size: number, ms: number, error?: unknown) => void;
}

interface Waiting<J, R> {
  readonly job: J;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommitter<J, R> {
  private queue: Waiting<J, R>[] = [];
  private flushing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: GroupCommitOptions<J, R>) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.flushing) queueMicrotask(() => void this.drain());
    });
  }

  /** Resolves when nothing is queued or in flight (shutdown). */
  idle(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        const t0 = performance.now();
        try {
          const results = await this.options.flush(batch.map((w) => w.job));
          this.options.onFlush?.(batch.length, performance.now() - t0);
          if (results.length !== batch.length)
            throw new Error(`flush returned ${results.length} results for ${batch.length} jobs`);
          batch.forEach((w, i) => w.resolve(results[i] as R));
        } catch (err) {
          this.options.onFlush?.(batch.length, performance.now() - t0, err);
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.flushing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

// Long-poll waiters of the change feed: woken when this process commits, or when PostgreSQL
// notifies that another ledger process did (LISTEN), whichever comes first; or at their timeout.

export class EventWaiters {
  private waiters = new Set<() => void>();

  /** Resolves at the next wake(), the timeout, or the abort, whichever comes first. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  get size(): number {
    return this.waiters.size;
  }
}

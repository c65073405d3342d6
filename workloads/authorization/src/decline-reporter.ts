// Reports declines to the ledger (`POST /v1/declines`) so analytics sees approval rates. Best
// effort and never on the answer's path: declines are queued in memory (bounded; the oldest are
// dropped when full), sent a few at a time in the background while the ledger answers, and kept
// for a later round when it does not. Idempotent by id on the ledger's side, so a resend is safe.
import type { CircuitBreaker } from './circuit-breaker.js';
import type { LedgerClient } from './ledger-client.js';
import type { AuthorizationMetrics } from './metrics.js';

export interface Decline {
  readonly id: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
  readonly metadata: Readonly<Record<string, string | number>>;
}

export interface DeclineReporterOptions {
  readonly ledger: LedgerClient;
  readonly breaker: CircuitBreaker;
  readonly metrics: AuthorizationMetrics;
  readonly intervalMs?: number;
  readonly capacity?: number;
  readonly concurrency?: number;
}

export class DeclineReporter {
  private queue: Decline[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: DeclineReporterOptions) {}

  report(decline: Decline): void {
    const capacity = this.options.capacity ?? 10_000;
    if (this.queue.length >= capacity) {
      this.queue.shift();
      this.options.metrics.declinesReported.inc({ result: 'dropped' });
    }
    this.queue.push(decline);
  }

  start(): void {
    this.timer = setInterval(() => void this.sendSome(), this.options.intervalMs ?? 200);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** One round: up to `concurrency` × 10 declines, stopping at the first the ledger does not take. */
  async sendSome(): Promise<void> {
    if (this.running || this.queue.length === 0 || !this.options.breaker.allowsRequest()) return;
    this.running = true;
    try {
      const concurrency = this.options.concurrency ?? 8;
      for (let round = 0; round < 10 && this.queue.length > 0; round++) {
        const slice = this.queue.splice(0, concurrency);
        const results = await Promise.all(
          slice.map((d) => this.options.ledger.call('POST', '/v1/declines', d)),
        );
        const failed = slice.filter((_, i) => results[i]?.kind !== 'answered');
        this.options.metrics.declinesReported.inc({ result: 'sent' }, slice.length - failed.length);
        if (failed.length > 0) {
          this.queue.unshift(...failed);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }
}

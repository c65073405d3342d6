// A circuit breaker for the ledger, pure state with an injected clock: after `failureThreshold`
// consecutive failures it opens, and requests go straight to stand-in instead of each waiting the
// deadline. While open, a probe (not a customer's request) is due every `cooldownMs`; the first
// success of a probe or of any call closes it.

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
}

export type BreakerState = 'closed' | 'open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private lastProbeAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.openedAt === undefined ? 'closed' : 'open';
  }

  /** May a request try the ledger now? */
  allowsRequest(): boolean {
    return this.openedAt === undefined;
  }

  /** While open: true once per cooldown, for the one probe that may close it. */
  probeDue(): boolean {
    if (this.openedAt === undefined) return false;
    const t = this.now();
    if (t - Math.max(this.openedAt, this.lastProbeAt) < this.options.cooldownMs) return false;
    this.lastProbeAt = t;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
  }

  onFailure(): void {
    this.failures++;
    if (this.openedAt === undefined && this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      this.lastProbeAt = this.openedAt;
    }
  }
}

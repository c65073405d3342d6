// Liveness and readiness. Liveness says the process can make progress (it answers while the event
// loop runs). Readiness is the sum of named checks, each returning undefined when fine or a short
// reason when not; the service is ready only when every check passes and it is not shutting down,
// so the Deployment's readiness is the transaction path's.

export type ReadinessCheck = () => string | undefined;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly failing: readonly { readonly check: string; readonly reason: string }[];
}

export class Health {
  private readonly checks = new Map<string, ReadinessCheck>();
  private stopping = false;

  addCheck(name: string, check: ReadinessCheck): this {
    this.checks.set(name, check);
    return this;
  }

  /** Called when shutdown begins: readiness fails at once so traffic moves away. */
  markStopping(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  readiness(): ReadinessReport {
    const failing: { check: string; reason: string }[] = [];
    if (this.stopping) failing.push({ check: 'shutdown', reason: 'the service is shutting down' });
    for (const [check, fn] of this.checks) {
      let reason: string | undefined;
      try {
        reason = fn();
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      if (reason !== undefined) failing.push({ check, reason });
    }
    return { ready: failing.length === 0, failing };
  }
}

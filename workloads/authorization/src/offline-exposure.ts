// The site's stand-in exposure in memory: what the offline limits count, by currency. Reserved
// synchronously when a stand-in approval is decided (so concurrent requests cannot overshoot a
// limit together), released when the journal write fails or the ledger acknowledges the replay.
// Loaded from the journal at start, so a restart does not forget what is still offline.
import type { Gauge } from 'prom-client';
import type { OfflineExposure } from './stand-in-limits.js';

export class OfflineExposureBook {
  private readonly byCurrency = new Map<string, { count: number; amountMinor: number }>();

  constructor(
    private readonly gauges?: { readonly count: Gauge<'currency'>; readonly amount: Gauge<'currency'> },
  ) {}

  load(initial: ReadonlyMap<string, OfflineExposure>): void {
    this.byCurrency.clear();
    for (const [currency, e] of initial) this.byCurrency.set(currency, { ...e });
    for (const currency of initial.keys()) this.publish(currency);
  }

  of(currency: string): OfflineExposure {
    return this.byCurrency.get(currency) ?? { count: 0, amountMinor: 0 };
  }

  reserve(currency: string, amountMinor: number): void {
    const e = this.byCurrency.get(currency) ?? { count: 0, amountMinor: 0 };
    e.count += 1;
    e.amountMinor += amountMinor;
    this.byCurrency.set(currency, e);
    this.publish(currency);
  }

  release(currency: string, amountMinor: number): void {
    const e = this.byCurrency.get(currency);
    if (!e) return;
    e.count = Math.max(0, e.count - 1);
    e.amountMinor = Math.max(0, e.amountMinor - amountMinor);
    this.publish(currency);
  }

  private publish(currency: string): void {
    const e = this.of(currency);
    this.gauges?.count.set({ currency }, e.count);
    this.gauges?.amount.set({ currency }, e.amountMinor);
  }
}

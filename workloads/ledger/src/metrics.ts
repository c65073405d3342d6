// The ledger's Prometheus metrics (paygrid_ledger_*). Labels carry types and results, never ids.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface LedgerMetrics {
  readonly transfers: Counter<'type' | 'result'>;
  readonly declines: Counter;
  readonly batchSize: Histogram;
  readonly commitSeconds: Histogram;
  readonly fenced: Counter<'scope'>;
  readonly epoch: Gauge;
  readonly feedWaiters: Gauge;
}

export function createLedgerMetrics(registry: Registry): LedgerMetrics {
  return {
    transfers: new Counter({
      name: 'paygrid_ledger_transfers_total',
      help: 'Transfer requests by type and result (booked, duplicate, conflict, fenced, rejected, unavailable)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    declines: new Counter({
      name: 'paygrid_ledger_declines_total',
      help: 'Declines recorded',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'paygrid_ledger_batch_size',
      help: 'Jobs per group-commit transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'paygrid_ledger_commit_duration_seconds',
      help: 'Duration of one group-commit transaction',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    fenced: new Counter({
      name: 'paygrid_ledger_fenced_total',
      help: 'Writes refused by a fence, by scope (ledger: this ledger is stale; authorization: a replaced site)',
      labelNames: ['scope'],
      registers: [registry],
    }),
    epoch: new Gauge({
      name: 'paygrid_ledger_epoch',
      help: 'The epoch of this ledger (from its contract)',
      registers: [registry],
    }),
    feedWaiters: new Gauge({
      name: 'paygrid_ledger_feed_waiters',
      help: 'Change-feed long-polls waiting',
      registers: [registry],
    }),
  };
}

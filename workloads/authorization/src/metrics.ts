// The authorization service's metrics. Labels carry outcomes and currencies, never card data.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueuedResolution } from './journal.js';

export type Outcome =
  | 'approved_online'
  | 'approved_stand_in'
  | 'declined_online'
  | 'declined_stand_in'
  | 'captured'
  | 'reversed'
  | 'invalid'
  | 'not_found'
  | 'not_serving'
  | 'fenced'
  | 'unavailable'
  | 'idempotent_replay'
  | 'idempotency_conflict'
  | 'error';

export interface AuthorizationMetrics {
  readonly requests: Counter<'outcome'>;
  readonly duration: Histogram<'operation'>;
  readonly offlineCount: Gauge<'currency'>;
  readonly offlineAmount: Gauge<'currency'>;
  readonly journalBatch: Histogram;
  readonly replayed: Counter<'result'>;
  readonly declinesReported: Counter<'result'>;
  readonly breakerOpen: Gauge;
  readonly journalQueued: Gauge<'kind' | 'currency'>;
  readonly journalQueuedAmount: Gauge<'kind' | 'currency'>;
}

/**
 * `queued`: the journal's captures, reversals and cancels still owed to the ledger, read at each
 * scrape from the journal itself (undefined while it is not open), so the gauges cannot drift
 * from what replay will send.
 */
export function createMetrics(
  registry: Registry,
  queued: () => readonly QueuedResolution[] | undefined = () => undefined,
): AuthorizationMetrics {
  const registers = [registry];
  const fromJournal = (pick: (r: QueuedResolution) => number) =>
    function (this: Gauge<'kind' | 'currency'>) {
      this.reset();
      for (const r of queued() ?? []) this.set({ kind: r.kind, currency: r.currency }, pick(r));
    };
  return {
    requests: new Counter({
      name: 'paygrid_authorization_requests_total',
      help: 'Write requests by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    duration: new Histogram({
      name: 'paygrid_authorization_duration_seconds',
      help: 'Time to answer a write, from request to answer',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    offlineCount: new Gauge({
      name: 'paygrid_authorization_offline_count',
      help: 'Stand-in approvals journaled and not yet acknowledged by the ledger',
      labelNames: ['currency'],
      registers,
    }),
    offlineAmount: new Gauge({
      name: 'paygrid_authorization_offline_amount_minor',
      help: 'Total of the stand-in approvals not yet acknowledged by the ledger, in minor units',
      labelNames: ['currency'],
      registers,
    }),
    journalBatch: new Histogram({
      name: 'paygrid_authorization_journal_batch_size',
      help: 'Writes per journal transaction (one fsync each)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    }),
    replayed: new Counter({
      name: 'paygrid_authorization_replayed_total',
      help: 'Journal entries replayed to the ledger, by result (forwarded, rejected)',
      labelNames: ['result'],
      registers,
    }),
    declinesReported: new Counter({
      name: 'paygrid_authorization_declines_reported_total',
      help: 'Declines reported to the ledger (best effort), by result (sent, dropped)',
      labelNames: ['result'],
      registers,
    }),
    breakerOpen: new Gauge({
      name: 'paygrid_authorization_ledger_circuit_open',
      help: '1 while the ledger circuit breaker is open (authorizations go to stand-in at once)',
      registers,
    }),
    journalQueued: new Gauge({
      name: 'paygrid_authorization_journal_queued',
      help: 'Captures (post), reversals (void) and cancels journaled and not yet acknowledged by the ledger, by kind',
      labelNames: ['kind', 'currency'],
      registers,
      collect: fromJournal((r) => r.count),
    }),
    journalQueuedAmount: new Gauge({
      name: 'paygrid_authorization_journal_queued_amount_minor',
      help: 'Amount of the queued captures (posted) and reversals/cancels (released), by kind, in minor units',
      labelNames: ['kind', 'currency'],
      registers,
      collect: fromJournal((r) => r.amountMinor),
    }),
  };
}

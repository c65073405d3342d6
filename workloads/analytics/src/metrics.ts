// Prometheus metrics. The aggregate counters are read at scrape time from the Totals mirror of the
// *_total tables (loaded from PostgreSQL at start, added to after each commit), so a restart
// neither resets nor double-counts them. Labels are gateway, site, reason, currency and kind: no
// card data ever reaches a metric (analytics never reads the PAN, last4 or terminal metadata).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Totals } from './totals.js';

export interface AnalyticsMetrics {
  readonly feedUp: Gauge;
  readonly feedLag: Gauge;
  readonly cursor: Gauge;
  readonly events: Counter<'outcome'>;
  readonly skipped: Counter<'why'>;
  readonly feedRequests: Counter<'result'>;
  readonly commitSeconds: Histogram;
}

export function createAnalyticsMetrics(registry: Registry, totals: Totals): AnalyticsMetrics {
  const registers = [registry];
  new Counter({
    name: 'paygrid_analytics_approvals_total',
    help: 'Authorization approvals (holds booked in the ledger), stand-in ones included',
    labelNames: ['gateway', 'site'],
    registers,
    collect() {
      this.reset();
      for (const c of totals.rows().counts)
        this.inc({ gateway: c.gateway, site: c.site }, Number(c.approvals));
    },
  });
  new Counter({
    name: 'paygrid_analytics_stand_in_approvals_total',
    help: 'Approvals a site gave alone while the ledger was unreachable (replayed later)',
    labelNames: ['gateway', 'site'],
    registers,
    collect() {
      this.reset();
      for (const c of totals.rows().counts)
        this.inc({ gateway: c.gateway, site: c.site }, Number(c.standInApprovals));
    },
  });
  new Counter({
    name: 'paygrid_analytics_declines_total',
    help: 'Authorization declines by reason',
    labelNames: ['gateway', 'site', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const d of totals.rows().declines)
        this.inc({ gateway: d.gateway, site: d.site, reason: d.reason }, Number(d.count));
    },
  });
  new Counter({
    name: 'paygrid_analytics_volume_minor_total',
    help: 'Volume in minor units of the currency, by kind (approved, captured, voided, expired, declined)',
    labelNames: ['gateway', 'site', 'currency', 'kind'],
    registers,
    collect() {
      this.reset();
      for (const v of totals.rows().volumes)
        this.inc(
          { gateway: v.gateway, site: v.site, currency: v.currency, kind: v.kind },
          // Prometheus samples are float64: past 2^53 minor units the sample is approximate; the
          // JSON API stays exact.
          Number(v.amountMinor),
        );
    },
  });
  return {
    feedUp: new Gauge({
      name: 'paygrid_analytics_feed_up',
      help: '1 when the last request to the ledger change feed succeeded',
      registers,
    }),
    feedLag: new Gauge({
      name: 'paygrid_analytics_feed_lag_seconds',
      help: 'Age of the last counted event while behind the feed head; 0 when caught up',
      registers,
    }),
    cursor: new Gauge({
      name: 'paygrid_analytics_cursor',
      help: 'seq of the last change-feed event counted (committed with the aggregates)',
      registers,
    }),
    events: new Counter({
      name: 'paygrid_analytics_events_total',
      help: 'Feed events this process committed: counted, ignored (not an authorization), skipped (unusable)',
      labelNames: ['outcome'],
      registers,
    }),
    skipped: new Counter({
      name: 'paygrid_analytics_events_skipped_total',
      help: 'Feed events skipped because their content was unusable, by what was wrong',
      labelNames: ['why'],
      registers,
    }),
    feedRequests: new Counter({
      name: 'paygrid_analytics_feed_requests_total',
      help: 'Requests to the ledger change feed by result',
      labelNames: ['result'],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'paygrid_analytics_commit_seconds',
      help: 'Time to apply one feed page in PostgreSQL (one transaction)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

// The webhook's own metrics, on a registry the caller owns (the operator's, so /metrics shows
// them next to controller-runtime's).
import { Counter, Histogram, type Registry } from 'prom-client';

export const WEBHOOK_REQUESTS_TOTAL = 'paygrid_webhook_requests_total';
export const WEBHOOK_DURATION_SECONDS = 'paygrid_webhook_duration_seconds';

/** Up to the webhook's 5 s timeout, finer below 100 ms where answers from caches land. */
export const WEBHOOK_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];

export type WebhookLabels = 'kind' | 'operation' | 'allowed';

export interface WebhookMetrics {
  readonly requests: Counter<WebhookLabels>;
  readonly duration: Histogram<'kind' | 'operation'>;
}

/** Registers the webhook metrics on `registry`, or returns the ones already there. */
export function webhookMetrics(registry: Registry): WebhookMetrics {
  const existingRequests = registry.getSingleMetric(WEBHOOK_REQUESTS_TOTAL) as
    Counter<WebhookLabels> | undefined;
  const existingDuration = registry.getSingleMetric(WEBHOOK_DURATION_SECONDS) as
    Histogram<'kind' | 'operation'> | undefined;
  const requests =
    existingRequests ??
    new Counter({
      name: WEBHOOK_REQUESTS_TOTAL,
      help: 'Admission requests answered by the paygrid validating webhook, by kind, operation and whether they were allowed',
      labelNames: ['kind', 'operation', 'allowed'],
      registers: [registry],
    });
  const duration =
    existingDuration ??
    new Histogram({
      name: WEBHOOK_DURATION_SECONDS,
      help: 'Time the paygrid validating webhook took to answer an admission request, in seconds',
      labelNames: ['kind', 'operation'],
      buckets: WEBHOOK_DURATION_BUCKETS,
      registers: [registry],
    });
  return { requests, duration };
}

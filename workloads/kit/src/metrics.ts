// One Prometheus registry per service, with Node's default process metrics. Metric names are
// `paygrid_<service>_...`; label values never carry card data or secrets (tokens at most).
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

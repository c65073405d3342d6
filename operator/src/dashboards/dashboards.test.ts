// Every PromQL expression in the chart's Grafana dashboards reads only metrics the operator and the
// workloads really register: the names come from the prom-client registries the real modules fill
// (the operator's RuntimeMetrics + PaygridMetrics + webhook metrics; each workload's createRegistry
// + its metrics module), not from a list, so a renamed metric or a typo in a dashboard fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { PaygridMetrics } from '../controllers/paygrid-metrics.js';
import { RuntimeMetrics } from '../runtime/metrics.js';
import { webhookMetrics } from '../webhook/metrics.js';
import { promqlGroupingLabels, promqlMetricNames } from './promql-names.js';

type Json = unknown;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dashboardDir = join(root, 'charts', 'paygrid', 'dashboards');

/**
 * Labels Prometheus adds when it scrapes through a ServiceMonitor or pod discovery, and the
 * workloads' default label `service`: a dashboard may group by them whatever the metric.
 */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'container', 'service', 'endpoint'];

/**
 * Series names a registry exposes, with their label names: histograms as _bucket (with le), _sum
 * and _count; summaries as the quantiles (with quantile), _sum and _count.
 */
function seriesNames(registry: Registry): [string, string[]][] {
  return registry.getMetricsAsArray().flatMap((m): [string, string[]][] => {
    const {
      name,
      type,
      labelNames = [],
    } = m as unknown as { name: string; type: string; labelNames?: string[] };
    if (type === 'histogram')
      return [
        [`${name}_bucket`, [...labelNames, 'le']],
        [`${name}_sum`, labelNames],
        [`${name}_count`, labelNames],
      ];
    if (type === 'summary')
      return [
        [name, [...labelNames, 'quantile']],
        [`${name}_sum`, labelNames],
        [`${name}_count`, labelNames],
      ];
    return [[name, labelNames]];
  });
}

// The workloads are their own packages (they never import the operator); this test reads their
// metrics modules from source, by path, so the operator's build does not depend on them.
async function workloadModule(path: string): Promise<Record<string, (...args: unknown[]) => unknown>> {
  return (await import(pathToFileURL(join(root, 'workloads', path)).pathname)) as Record<
    string,
    (...args: unknown[]) => unknown
  >;
}

async function exposedMetricNames(): Promise<Map<string, string>> {
  const exposed = new Map<string, string>();
  const add = (source: string, registry: Registry) => {
    for (const [n, labels] of seriesNames(registry)) {
      if (!exposed.has(n)) exposed.set(n, source);
      labelsOf.set(n, new Set([...(labelsOf.get(n) ?? []), ...labels]));
    }
  };

  const runtime = new RuntimeMetrics();
  new PaygridMetrics(runtime.registry);
  webhookMetrics(runtime.registry);
  add('operator', runtime.registry);

  const { createRegistry } = await workloadModule('kit/src/metrics.ts');
  const { createMetrics } = await workloadModule('authorization/src/metrics.ts');
  const { createLedgerMetrics } = await workloadModule('ledger/src/metrics.ts');
  const { createAnalyticsMetrics } = await workloadModule('analytics/src/metrics.ts');
  const registryOf = (service: string) => createRegistry!(service) as Registry;
  const authorization = registryOf('authorization');
  createMetrics!(authorization);
  add('authorization', authorization);
  const ledger = registryOf('ledger');
  createLedgerMetrics!(ledger);
  add('ledger', ledger);
  const analytics = registryOf('analytics');
  // Totals are read only at scrape time; names are known without one.
  createAnalyticsMetrics!(analytics, {});
  add('analytics', analytics);
  return exposed;
}

/** Every `expr` of every panel target, nested rows included, with where it is. */
function expressions(dashboard: Json, file: string): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const visit = (node: Json, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => visit(n, `${where}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'expr' && typeof v === 'string') out.push({ where, expr: v });
        else visit(v, `${where}.${k}`);
      }
    }
  };
  visit(dashboard, file);
  return out;
}

const files = readdirSync(dashboardDir).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({
  file: f,
  json: JSON.parse(readFileSync(join(dashboardDir, f), 'utf8')) as Json,
}));

let exposed: Map<string, string>;
/** Label names of each exposed series. */
const labelsOf = new Map<string, Set<string>>();
beforeAll(async () => {
  exposed = await exposedMetricNames();
});

test('the real registries are read (operator and all three workloads)', () => {
  const sources = new Set(exposed.values());
  expect([...sources].sort()).toEqual(['analytics', 'authorization', 'ledger', 'operator']);
  expect(exposed.get('controller_runtime_reconcile_time_seconds_bucket')).toBe('operator');
  expect(exposed.get('paygrid_ledger_transfers_total')).toBe('ledger');
});

test('the chart carries the operator and payments dashboards', () => {
  expect(files.sort()).toEqual(['operator.json', 'payments.json']);
});

describe.each(dashboards)('$file', ({ file, json }) => {
  const exprs = expressions(json, file);

  it('has queries, and every query reads at least one metric', () => {
    expect(exprs.length).toBeGreaterThan(5);
    for (const { where, expr } of exprs)
      expect({ where, names: promqlMetricNames(expr).length > 0 }).toEqual({ where, names: true });
  });

  it('reads only metrics the operator or the workloads expose', () => {
    const unknown = exprs.flatMap(({ where, expr }) =>
      promqlMetricNames(expr)
        .filter((n) => !exposed.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('groups and matches only by labels the metrics it reads carry (or Prometheus adds)', () => {
    const unknown = exprs.flatMap(({ where, expr }) => {
      const allowed = new Set([
        ...TARGET_LABELS,
        ...promqlMetricNames(expr).flatMap((n) => [...(labelsOf.get(n) ?? [])]),
      ]);
      return promqlGroupingLabels(expr)
        .filter((l) => !allowed.has(l))
        .map((l) => `${where}: ${l}`);
    });
    expect(unknown).toEqual([]);
  });

  it('uses only the datasource variable (no query variables whose PromQL this test would not see)', () => {
    const vars =
      (json as { templating?: { list?: { name: string; type: string }[] } }).templating?.list ?? [];
    expect(
      vars.filter((v) => v.type !== 'datasource' && v.type !== 'custom' && v.type !== 'interval'),
    ).toEqual([]);
  });
});

test('the registries report label names (so the grouping check is not vacuous)', () => {
  expect([...labelsOf.get('controller_runtime_reconcile_time_seconds_bucket')!].sort()).toEqual([
    'controller',
    'le',
  ]);
  expect([...labelsOf.get('paygrid_authorization_requests_total')!]).toEqual(['outcome']);
});

test('a misspelt metric in a dashboard would fail', () => {
  const names = promqlMetricNames('sum(rate(paygrid_authorisation_requests_total[5m]))');
  expect(names.filter((n) => !exposed.has(n))).toEqual(['paygrid_authorisation_requests_total']);
});

/**
 * Prometheus metrics with controller-runtime's and client-go's names, so existing dashboards and
 * alerts work unchanged. Other packages add their own metrics to `registry`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueueMetricsHooks } from './workqueue.js';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';
export const RECONCILE_RESULTS: readonly ReconcileResultLabel[] = [
  'success',
  'error',
  'requeue',
  'requeue_after',
];

/** controller-runtime's buckets for controller_runtime_reconcile_time_seconds. */
export const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: ExponentialBuckets(10e-9, 10, 12). */
export const WORKQUEUE_DURATION_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

/** What the metrics need to read from a queue at scrape time. */
export interface QueueProbe {
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

export interface RuntimeMetricsOptions {
  /** Registry to register into (default: a new one). It must not already hold these names. */
  registry?: Registry;
  /** Register prom-client's default Node process metrics (default true). */
  defaultMetrics?: boolean;
}

export class RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrorsTotal: Counter<'controller'>;
  readonly reconcileTimeSeconds: Histogram<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name'>;
  readonly workqueueAddsTotal: Counter<'name'>;
  readonly workqueueQueueDurationSeconds: Histogram<'name'>;
  readonly workqueueWorkDurationSeconds: Histogram<'name'>;
  readonly workqueueRetriesTotal: Counter<'name'>;
  readonly workqueueUnfinishedWorkSeconds: Gauge<'name'>;
  readonly workqueueLongestRunningProcessorSeconds: Gauge<'name'>;
  readonly leaderElectionMasterStatus: Gauge<'name'>;
  readonly restClientRequestsTotal: Counter<'code' | 'host' | 'method'>;

  private readonly queues = new Map<string, QueueProbe>();

  constructor(opts: RuntimeMetricsOptions = {}) {
    const registry = opts.registry ?? new Registry();
    this.registry = registry;
    const registers = [registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

    this.restClientRequestsTotal = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'host', 'method'],
      registers,
    });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrorsTotal = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTimeSeconds = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.workqueueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.workqueueAddsTotal = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.workqueueQueueDurationSeconds = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: WORKQUEUE_DURATION_BUCKETS,
      registers,
    });
    this.workqueueWorkDurationSeconds = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: WORKQUEUE_DURATION_BUCKETS,
      registers,
    });
    this.workqueueRetriesTotal = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    const queues = this.queues;
    this.workqueueUnfinishedWorkSeconds = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by " +
        'work_duration. Large values indicate stuck threads. One can deduce the number of stuck ' +
        'threads by observing the rate at which this increases.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, q] of queues) this.set({ name }, q.unfinishedWorkSeconds());
      },
    });
    this.workqueueLongestRunningProcessorSeconds = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, q] of queues) this.set({ name }, q.longestRunningProcessorSeconds());
      },
    });
    this.leaderElectionMasterStatus = new Gauge({
      name: 'leader_election_master_status',
      help:
        'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 ' +
        "indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers,
    });
  }

  /** Initialises a controller's series (every result at 0) like controller-runtime does at start. */
  initController(controller: string, workers: number): void {
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrorsTotal.inc({ controller }, 0);
    this.maxConcurrentReconciles.set({ controller }, workers);
    this.activeWorkers.set({ controller }, 0);
  }

  /** Records one finished reconcile. */
  observeReconcile(controller: string, result: ReconcileResultLabel, seconds: number): void {
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrorsTotal.inc({ controller });
    this.reconcileTimeSeconds.observe({ controller }, seconds);
  }

  /** Work queue hooks that feed the workqueue_* metrics for the queue `name`. */
  workqueueHooks(name: string): WorkQueueMetricsHooks {
    this.workqueueDepth.set({ name }, 0);
    this.workqueueAddsTotal.inc({ name }, 0);
    this.workqueueRetriesTotal.inc({ name }, 0);
    return {
      add: () => this.workqueueAddsTotal.inc({ name }),
      depth: (depth) => this.workqueueDepth.set({ name }, depth),
      queueDuration: (ms) => this.workqueueQueueDurationSeconds.observe({ name }, ms / 1000),
      workDuration: (ms) => this.workqueueWorkDurationSeconds.observe({ name }, ms / 1000),
      retry: () => this.workqueueRetriesTotal.inc({ name }),
    };
  }

  /** Reads unfinished-work gauges from `queue` at every scrape. Returns an untrack function. */
  trackQueue(name: string, queue: QueueProbe): () => void {
    this.queues.set(name, queue);
    return () => {
      if (this.queues.get(name) === queue) this.queues.delete(name);
    };
  }

  /** Sets leader_election_master_status{name}. */
  setLeader(name: string, leading: boolean): void {
    this.leaderElectionMasterStatus.set({ name }, leading ? 1 : 0);
  }
}

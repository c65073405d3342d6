import { Counter } from 'prom-client';
import { FakeClock } from './clock.js';
import { RuntimeMetrics } from './metrics.js';
import { WorkQueue } from './workqueue.js';

describe('RuntimeMetrics', () => {
  it("exposes controller-runtime's metric names", async () => {
    const m = new RuntimeMetrics();
    m.initController('gateways', 4);
    m.workqueueHooks('gateways');
    m.setLeader('paygrid-operator-leader', true);
    const text = await m.registry.metrics();
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds',
      'workqueue_work_duration_seconds',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
      'leader_election_master_status',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      expect(text).toContain(
        `controller_runtime_reconcile_total{controller="gateways",result="${result}"} 0`,
      );
    }
    expect(text).toContain('leader_election_master_status{name="paygrid-operator-leader"} 1');
  });

  it('records reconcile outcomes and durations', async () => {
    const m = new RuntimeMetrics({ defaultMetrics: false });
    m.observeReconcile('sites', 'error', 0.2);
    m.observeReconcile('sites', 'success', 0.01);
    const text = await m.registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="sites"} 1');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="sites"} 2');
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="0.25",controller="sites"} 2',
    );
  });

  it('feeds workqueue metrics from a queue, including unfinished work read at scrape time', async () => {
    const m = new RuntimeMetrics({ defaultMetrics: false });
    const clock = new FakeClock();
    const q = new WorkQueue({ name: 'q', clock, metrics: m.workqueueHooks('q') });
    m.trackQueue('q', q);
    q.add('a');
    q.add('b');
    let text = await m.registry.metrics();
    expect(text).toContain('workqueue_depth{name="q"} 2');
    expect(text).toContain('workqueue_adds_total{name="q"} 2');
    await q.get();
    await clock.advance(1500);
    text = await m.registry.metrics();
    expect(text).toContain('workqueue_depth{name="q"} 1');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="q"} 1.5');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="q"} 1.5');
  });

  it('lets other packages register their own metrics in the same registry', async () => {
    const m = new RuntimeMetrics({ defaultMetrics: false });
    const failovers = new Counter({
      name: 'paygrid_failovers_total',
      help: 'Failovers',
      registers: [m.registry],
    });
    failovers.inc();
    expect(await m.registry.metrics()).toContain('paygrid_failovers_total 1');
  });
});

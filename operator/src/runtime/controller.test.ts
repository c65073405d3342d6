import { FakeClock, flushPromises } from './clock.js';
import { Controller, type ReconcileContext, type ReconcileResult } from './controller.js';
import { createLogger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';

/** A reconcile call the test finishes by hand. */
interface Call {
  key: string;
  ctx: ReconcileContext;
  resolve: (r?: ReconcileResult) => void;
  reject: (err: Error) => void;
}

function manual(): {
  calls: Call[];
  reconcile: (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;
} {
  const calls: Call[] = [];
  return {
    calls,
    reconcile: (key, ctx) =>
      new Promise<ReconcileResult | void>((resolve, reject) => calls.push({ key, ctx, resolve, reject })),
  };
}

async function counter(
  metrics: RuntimeMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const data = await metric.get();
  const found = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value ?? NaN;
}

describe('Controller', () => {
  it('reconciles queued keys and records success', async () => {
    const clock = new FakeClock();
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    const seen: string[] = [];
    const c = new Controller({
      name: 'gateways',
      clock,
      metrics,
      reconcile: async (key) => {
        seen.push(key);
      },
    });
    expect(await counter(metrics, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(0);
    c.enqueue('ns/a');
    c.enqueue('ns/a'); // queued twice before any worker takes it: reconciled once
    c.enqueue('ns/b');
    c.start();
    await flushPromises();
    expect(seen).toEqual(['ns/a', 'ns/b']);
    expect(
      await counter(metrics, 'controller_runtime_reconcile_total', {
        controller: 'gateways',
        result: 'success',
      }),
    ).toBe(2);
    expect(await counter(metrics, 'workqueue_adds_total', { name: 'gateways' })).toBe(2);
    await c.stop();
  });

  it('retries a failing key with growing backoff, then forgets the backoff on success', async () => {
    const clock = new FakeClock();
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    const times: number[] = [];
    let failuresLeft = 3;
    const c = new Controller({
      name: 'sites',
      clock,
      metrics,
      reconcile: async () => {
        times.push(clock.now());
        if (failuresLeft-- > 0) throw new Error('apiserver unavailable');
      },
    });
    c.start();
    c.enqueue('site-1');
    await clock.advance(1000);
    expect(times).toEqual([0, 5, 15, 35]); // +5, +10, +20 ms
    expect(await counter(metrics, 'controller_runtime_reconcile_errors_total', { controller: 'sites' })).toBe(
      3,
    );
    expect(await counter(metrics, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(3);
    expect(await counter(metrics, 'workqueue_retries_total', { name: 'sites' })).toBe(3);
    expect(c.queue.numRequeues('site-1')).toBe(0);
    await c.stop();
  });

  it('treats a synchronous throw like a rejection', async () => {
    const clock = new FakeClock();
    let n = 0;
    const c = new Controller({
      name: 'x',
      clock,
      reconcile: (() => {
        n++;
        throw new Error('sync bug');
      }) as unknown as () => Promise<void>,
    });
    c.start();
    c.enqueue('k');
    await clock.advance(5);
    expect(n).toBe(2);
    await c.stop();
  });

  it('requeues after requeueAfter without backoff, and with backoff for requeue: true', async () => {
    const clock = new FakeClock();
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    const times: number[] = [];
    const results: ReconcileResult[] = [{ requeueAfter: 30_000 }, { requeue: true }, { requeue: true }, {}];
    const c = new Controller({
      name: 'pg',
      clock,
      metrics,
      reconcile: async () => {
        times.push(clock.now());
        return results.shift();
      },
    });
    c.start();
    c.enqueue('k');
    await clock.advance(60_000);
    expect(times).toEqual([0, 30_000, 30_005, 30_015]);
    expect(await counter(metrics, 'controller_runtime_reconcile_total', { result: 'requeue_after' })).toBe(1);
    expect(await counter(metrics, 'controller_runtime_reconcile_total', { result: 'requeue' })).toBe(2);
    expect(await counter(metrics, 'controller_runtime_reconcile_total', { result: 'success' })).toBe(1);
    await c.stop();
  });

  it('runs different keys in parallel up to the worker count, never one key twice', async () => {
    const { calls, reconcile } = manual();
    const c = new Controller({ name: 'par', maxConcurrentReconciles: 3, clock: new FakeClock(), reconcile });
    c.start();
    for (const k of ['a', 'b', 'c', 'd']) c.enqueue(k);
    await flushPromises();
    expect(calls.map((x) => x.key)).toEqual(['a', 'b', 'c']);
    expect(c.activeWorkers()).toBe(3);
    c.enqueue('a'); // 'a' is in flight: must wait for it
    calls[1]?.resolve(); // b done → a free worker takes d, not a
    await flushPromises();
    expect(calls.map((x) => x.key)).toEqual(['a', 'b', 'c', 'd']);
    calls[0]?.resolve(); // a done → a runs again
    await flushPromises();
    expect(calls.map((x) => x.key)).toEqual(['a', 'b', 'c', 'd', 'a']);
    const inFlight = calls.slice(2);
    for (const call of inFlight) call.resolve();
    await c.stop();
  });

  it('gives each reconcile an ID and a logger bound to controller, key and ID', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    });
    const ids: string[] = [];
    const c = new Controller({
      name: 'gw',
      logger,
      clock: new FakeClock(),
      reconcile: async (key, { log, reconcileID }) => {
        ids.push(reconcileID);
        log.info({ step: 1 }, 'working');
        if (key === 'ns/bad') throw new Error('boom');
      },
    });
    c.start();
    c.enqueue('ns/a');
    c.enqueue('ns/bad');
    await flushPromises();
    await c.stop();
    expect(new Set(ids).size).toBe(2);
    const working = lines.filter((l) => l.msg === 'working');
    expect(working).toEqual([
      expect.objectContaining({ controller: 'gw', key: 'ns/a', reconcileID: ids[0], step: 1 }),
      expect.objectContaining({ controller: 'gw', key: 'ns/bad', reconcileID: ids[1] }),
    ]);
    const error = lines.find((l) => l.msg === 'reconciler error');
    expect(error).toMatchObject({ level: 'error', key: 'ns/bad', reconcileID: ids[1] });
    expect((error?.err as { message?: string }).message).toBe('boom');
  });

  it('stop() takes no new work and waits for in-flight reconciles', async () => {
    const { calls, reconcile } = manual();
    const c = new Controller({ name: 's', maxConcurrentReconciles: 1, clock: new FakeClock(), reconcile });
    const running = c.start();
    c.enqueue('a');
    c.enqueue('b');
    await flushPromises();
    let stopped = false;
    const stopping = c.stop().then(() => {
      stopped = true;
    });
    await flushPromises();
    expect(stopped).toBe(false);
    expect(calls[0]?.ctx.signal.aborted).toBe(false);
    calls[0]?.resolve();
    await stopping;
    await running;
    expect(calls.map((x) => x.key)).toEqual(['a']); // b was never started
    c.enqueue('c');
    await flushPromises();
    expect(calls).toHaveLength(1);
  });

  it('stop({ abort: true }) aborts the signal of in-flight reconciles', async () => {
    const { calls, reconcile } = manual();
    const c = new Controller({ name: 's', clock: new FakeClock(), reconcile });
    c.start();
    c.enqueue('a');
    await flushPromises();
    const stopping = c.stop({ abort: true });
    await flushPromises();
    expect(calls[0]?.ctx.signal.aborted).toBe(true);
    calls[0]?.reject(new Error('aborted'));
    await stopping;
  });

  it('enqueues from informer events through eventHandler()', async () => {
    const seen: string[] = [];
    const c = new Controller({
      name: 'h',
      clock: new FakeClock(),
      reconcile: async (k) => {
        seen.push(k);
      },
    });
    const h = c.eventHandler((o: { id?: string }) => o.id);
    h.onAdd?.({ id: 'x' });
    h.onUpdate?.({ id: 'old' }, { id: 'y' });
    h.onDelete?.({ id: 'z' });
    h.onAdd?.({});
    c.start();
    await flushPromises();
    expect(seen).toEqual(['x', 'y', 'z']);
    await c.stop();
  });
});

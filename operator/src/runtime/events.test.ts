import { FakeClock, flushPromises } from './clock.js';
import { type EventRecord, EventRecorder, type EventSink, isCamelCase, sanitizeNote } from './events.js';
import { createLogger } from './logger.js';

class RecordingSink implements EventSink {
  created: EventRecord[] = [];
  patches: { namespace: string; name: string; count: number; lastObservedTime: Date }[] = [];
  failCreate: unknown = undefined;
  failPatch: unknown = undefined;
  async create(event: EventRecord): Promise<void> {
    if (this.failCreate !== undefined) throw this.failCreate;
    this.created.push(event);
  }
  async patchSeries(
    namespace: string,
    name: string,
    s: { count: number; lastObservedTime: Date },
  ): Promise<void> {
    if (this.failPatch !== undefined) throw this.failPatch;
    this.patches.push({ namespace, name, ...s });
  }
}

const gateway = {
  apiVersion: 'paygrid.io/v1alpha1',
  kind: 'PaymentGateway',
  metadata: { name: 'checkout', namespace: 'payments', uid: 'uid-1', resourceVersion: '42' },
};
const site = {
  apiVersion: 'paygrid.io/v1alpha1',
  kind: 'EdgeSite',
  metadata: { name: 'store-7', uid: 'uid-2' },
};

function setup(extra: Partial<ConstructorParameters<typeof EventRecorder>[0]> = {}): {
  rec: EventRecorder;
  sink: RecordingSink;
  clock: FakeClock;
  logs: Record<string, unknown>[];
} {
  const sink = new RecordingSink();
  const clock = new FakeClock(1_700_000_000_000);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => logs.push(JSON.parse(s) as Record<string, unknown>) },
  });
  const rec = new EventRecorder({
    sink,
    logger,
    clock,
    reportingInstance: 'paygrid-operator-abc12',
    ...extra,
  });
  return { rec, sink, clock, logs };
}

describe('EventRecorder', () => {
  it('creates an events.k8s.io/v1 Event about the regarding object', async () => {
    const { rec, sink, clock } = setup();
    rec.warning(gateway, 'FailedOver', 'Failover', 'store-7 unreachable; authorization moved to store-9');
    await rec.flush();
    expect(sink.created).toHaveLength(1);
    const e = sink.created[0] as EventRecord;
    expect(e).toMatchObject({
      metadata: { namespace: 'payments' },
      reportingController: 'paygrid.io/operator',
      reportingInstance: 'paygrid-operator-abc12',
      type: 'Warning',
      reason: 'FailedOver',
      action: 'Failover',
      note: 'store-7 unreachable; authorization moved to store-9',
      regarding: {
        apiVersion: 'paygrid.io/v1alpha1',
        kind: 'PaymentGateway',
        name: 'checkout',
        namespace: 'payments',
        uid: 'uid-1',
        resourceVersion: '42',
      },
    });
    expect(e.metadata.name).toMatch(/^checkout\.[0-9a-f]+$/);
    expect(e.eventTime.getTime()).toBe(clock.now());
  });

  it('puts Events about cluster-scoped objects in "default"', async () => {
    const { rec, sink } = setup();
    rec.normal(site, 'SiteReady', 'Probe', 'ready', gateway);
    await rec.flush();
    expect(sink.created[0]?.metadata.namespace).toBe('default');
    expect(sink.created[0]?.related).toMatchObject({ kind: 'PaymentGateway', name: 'checkout' });
  });

  it('aggregates identical events into a series instead of new Events', async () => {
    const { rec, sink, clock } = setup();
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await flushPromises();
    await clock.advance(1000);
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout'); // first repeat: patched at once
    await flushPromises();
    expect(sink.created).toHaveLength(1);
    expect(sink.patches).toEqual([
      {
        namespace: 'default',
        name: sink.created[0]?.metadata.name,
        count: 2,
        lastObservedTime: new Date(clock.now()),
      },
    ]);
    // Further repeats are coalesced: one patch per 30 s with the latest count.
    for (let i = 0; i < 5; i++) {
      await clock.advance(2000);
      rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    }
    await flushPromises();
    expect(sink.patches).toHaveLength(1);
    await clock.advance(30_000);
    expect(sink.patches).toHaveLength(2);
    expect(sink.patches[1]?.count).toBe(7);
    expect(sink.created).toHaveLength(1);
  });

  it('starts a new Event once the 10 minute window has passed', async () => {
    const { rec, sink, clock } = setup();
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await flushPromises();
    await clock.advance(10 * 60_000 + 1);
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await rec.flush();
    expect(sink.created).toHaveLength(2);
    expect(sink.patches).toHaveLength(0);
  });

  it('keeps events that differ in note, reason or type apart', async () => {
    const { rec, sink } = setup();
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    rec.warning(site, 'ProbeFailed', 'Probe', 'connection refused');
    rec.normal(site, 'ProbeFailed', 'Probe', 'timeout');
    rec.warning(site, 'ProbeFailing', 'Probe', 'timeout');
    await rec.flush();
    expect(sink.created).toHaveLength(4);
  });

  it('rate limits new Events per object (burst 25, then 1 per 5 minutes)', async () => {
    const { rec, sink, clock } = setup();
    for (let i = 0; i < 30; i++) rec.normal(gateway, 'Progressing', 'Reconcile', `step ${i}`);
    rec.normal(site, 'SiteReady', 'Probe', 'other objects are not affected');
    await rec.flush();
    expect(sink.created).toHaveLength(26);
    await clock.advance(300_000);
    rec.normal(gateway, 'Progressing', 'Reconcile', 'after a while');
    rec.normal(gateway, 'Progressing', 'Reconcile', 'too soon again');
    await rec.flush();
    expect(sink.created).toHaveLength(27);
  });

  it('drops invalid events with a log line and never throws', async () => {
    const { rec, sink, logs } = setup();
    expect(() => rec.normal(gateway, 'not camel', 'Reconcile', 'x')).not.toThrow();
    expect(() => rec.event(gateway, 'Critical' as 'Normal', 'Fine', 'Reconcile', 'x')).not.toThrow();
    expect(() => rec.normal(gateway, 'Fine', 'do-it', 'x')).not.toThrow();
    expect(() => rec.normal({ kind: 'X' }, 'Fine', 'Reconcile', 'x')).not.toThrow();
    await rec.flush();
    expect(sink.created).toHaveLength(0);
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(4);
  });

  it('logs API failures without throwing, and tries again on the next identical event', async () => {
    const { rec, sink, logs } = setup();
    sink.failCreate = Object.assign(new Error('forbidden'), { code: 403 });
    expect(() => rec.warning(gateway, 'FailedOver', 'Failover', 'x')).not.toThrow();
    await rec.flush();
    expect(logs.some((l) => l.msg === 'failed to create event')).toBe(true);
    sink.failCreate = undefined;
    rec.warning(gateway, 'FailedOver', 'Failover', 'x');
    await rec.flush();
    expect(sink.created).toHaveLength(1);
  });

  it('survives a sink that throws synchronously', async () => {
    const { rec, logs } = setup({
      sink: {
        create: () => {
          throw new Error('sync');
        },
        patchSeries: () => Promise.resolve(),
      },
    });
    expect(() => rec.normal(gateway, 'Fine', 'Reconcile', 'x')).not.toThrow();
    await rec.flush();
    expect(logs.some((l) => l.msg === 'failed to create event')).toBe(true);
  });

  it('creates a fresh Event when the series target is gone (404)', async () => {
    const { rec, sink, clock } = setup();
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await flushPromises();
    sink.failPatch = Object.assign(new Error('not found'), { code: 404 });
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await rec.flush();
    sink.failPatch = undefined;
    await clock.advance(1000);
    rec.warning(site, 'ProbeFailed', 'Probe', 'timeout');
    await rec.flush();
    expect(sink.created).toHaveLength(2);
  });

  it('never writes credentials or card numbers into notes', async () => {
    const { rec, sink } = setup();
    rec.warning(
      gateway,
      'ApplyFailed',
      'Apply',
      'auth failed with password=hunter2 token: abc.def Authorization: Bearer eyJhbGciOi card 4111 1111 1111 1111',
    );
    await rec.flush();
    const note = sink.created[0]?.note ?? '';
    for (const leaked of ['hunter2', 'abc.def', 'eyJhbGciOi', '4111 1111 1111 1111'])
      expect(note).not.toContain(leaked);
    expect(note).toContain('****1111');
  });
});

describe('sanitizeNote / isCamelCase', () => {
  it('truncates notes to the 1 KiB API limit', () => {
    const out = sanitizeNote('é'.repeat(2000));
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(1024);
    expect(out.endsWith('...')).toBe(true);
  });

  it('leaves ordinary notes alone', () => {
    expect(sanitizeNote('placement moved from store-7 to store-9 (epoch 12)')).toBe(
      'placement moved from store-7 to store-9 (epoch 12)',
    );
  });

  it.each([
    ['FailedOver', true],
    ['Ready', true],
    ['Probe2Failed', true],
    ['failedOver', false],
    ['Failed Over', false],
    ['Failed_Over', false],
    ['', false],
    ['A'.repeat(129), false],
  ])('%s → %s', (s, ok) => expect(isCamelCase(s)).toBe(ok));
});

import { FakeClock, flushPromises } from './clock.js';
import {
  APISERVER_BOOKMARK_INTERVAL_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  Informer,
  type InformerOptions,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type ListWatchSource,
  type WatchEvent,
  type WatchHandle,
  type WatchOptions,
  isGone,
  objectKey,
  splitKey,
} from './informer.js';

interface Obj extends KubeObject {
  spec?: { v: number };
}

function obj(name: string, rv: string, v = 0, namespace = 'ns'): Obj {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'Thing',
    metadata: { name, namespace, resourceVersion: rv },
    spec: { v },
  };
}

/** One watch opened by the informer; the test drives it. */
class ScriptedWatch {
  stopped = false;
  constructor(
    readonly opts: WatchOptions,
    private readonly onEvent: (e: WatchEvent<Obj>) => void,
    private readonly onDone: (err: unknown) => void,
  ) {}
  emit(type: string, object: Obj | Record<string, unknown>): void {
    this.onEvent({ type, object: object as Obj });
  }
  close(err: unknown = null): void {
    this.onDone(err);
  }
}

/** A scripted ListWatchSource: list answers are queued by the test; watches are recorded. */
class ScriptedSource implements ListWatchSource<Obj> {
  readonly lists: ListOptions[] = [];
  readonly listAnswers: (ListResult<Obj> | Error)[] = [];
  readonly watches: ScriptedWatch[] = [];
  readonly watchStartErrors: unknown[] = [];

  list(opts: ListOptions): Promise<ListResult<Obj>> {
    this.lists.push(opts);
    const answer = this.listAnswers.shift();
    if (answer === undefined) return new Promise(() => {}); // hangs until the list timeout
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  async watch(
    opts: WatchOptions,
    onEvent: (e: WatchEvent<Obj>) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const startErr = this.watchStartErrors.shift();
    if (startErr !== undefined) throw startErr;
    const w = new ScriptedWatch(opts, onEvent, onDone);
    this.watches.push(w);
    return {
      stop: () => {
        w.stopped = true;
      },
    };
  }

  get lastWatch(): ScriptedWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error('no watch started');
    return w;
  }
}

interface Recorded {
  type: 'add' | 'update' | 'delete';
  key: string;
  rv?: string;
  same?: boolean;
}

async function setup(
  opts: Partial<InformerOptions<Obj>> = {},
): Promise<{ inf: Informer<Obj>; src: ScriptedSource; clock: FakeClock; events: Recorded[] }> {
  const src = new ScriptedSource();
  const clock = new FakeClock(1_000_000);
  const inf = new Informer<Obj>({ source: src, clock, random: () => 0, name: 'things', ...opts });
  const events: Recorded[] = [];
  inf.addEventHandler({
    onAdd: (o) => events.push({ type: 'add', key: objectKey(o), rv: o.metadata?.resourceVersion }),
    onUpdate: (a, b) =>
      events.push({ type: 'update', key: objectKey(b), rv: b.metadata?.resourceVersion, same: a === b }),
    onDelete: (o) => events.push({ type: 'delete', key: objectKey(o), rv: o.metadata?.resourceVersion }),
  });
  return { inf, src, clock, events };
}

describe('objectKey / splitKey / isGone', () => {
  it('keys namespaced and cluster-scoped objects like client-go', () => {
    expect(objectKey(obj('a', '1'))).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'site-1' } })).toBe('site-1');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('site-1')).toEqual({ name: 'site-1' });
    expect(() => objectKey({ metadata: {} })).toThrow();
  });

  it('recognises 410 as an HTTP status, a Status code, or an ApiException body', () => {
    expect(isGone({ statusCode: 410 })).toBe(true);
    expect(isGone({ kind: 'Status', code: 410, reason: 'Expired' })).toBe(true);
    expect(isGone({ body: '{"kind":"Status","code":410,"reason":"Expired"}' })).toBe(true);
    expect(isGone({ statusCode: 500 })).toBe(false);
    expect(isGone(new Error('boom'))).toBe(false);
  });
});

describe('Informer', () => {
  it('lists, syncs, then watches from the list resourceVersion with bookmarks and a timeout', async () => {
    const { inf, src, events } = await setup({ namespace: 'ns', labelSelector: 'app=x' });
    src.listAnswers.push({ items: [obj('a', '10'), obj('b', '11')], resourceVersion: '12' });
    expect(inf.hasSynced()).toBe(false);
    const synced = inf.waitForSync();
    inf.start();
    expect(await synced).toBe(true);
    await flushPromises();
    expect(inf.hasSynced()).toBe(true);
    expect(src.lists).toEqual([{ namespace: 'ns', labelSelector: 'app=x' }]);
    const w = src.lastWatch.opts;
    expect(w).toMatchObject({
      namespace: 'ns',
      labelSelector: 'app=x',
      resourceVersion: '12',
      allowWatchBookmarks: true,
    });
    expect(w.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(w.timeoutSeconds).toBeLessThanOrEqual(600);
    expect(inf.list().map(objectKey).sort()).toEqual(['ns/a', 'ns/b']);
    expect(inf.get('ns/a')?.metadata?.resourceVersion).toBe('10');
    expect(events).toEqual([
      { type: 'add', key: 'ns/a', rv: '10' },
      { type: 'add', key: 'ns/b', rv: '11' },
    ]);
    await inf.stop();
  });

  it('applies watch events to the cache and handlers, following resourceVersions and bookmarks', async () => {
    const { inf, src, events } = await setup();
    src.listAnswers.push({ items: [obj('a', '10')], resourceVersion: '10' });
    inf.start();
    await flushPromises();
    const w = src.lastWatch;
    w.emit('ADDED', obj('b', '11'));
    w.emit('MODIFIED', obj('a', '12', 1));
    w.emit('DELETED', obj('b', '13'));
    w.emit('BOOKMARK', { kind: 'Thing', metadata: { resourceVersion: '20' } });
    expect(inf.get('ns/a')?.spec?.v).toBe(1);
    expect(inf.get('ns/b')).toBeUndefined();
    expect(inf.lastSyncResourceVersion()).toBe('20');
    expect(events.slice(1)).toEqual([
      { type: 'add', key: 'ns/b', rv: '11' },
      { type: 'update', key: 'ns/a', rv: '12', same: false },
      { type: 'delete', key: 'ns/b', rv: '13' },
    ]);
    // The server ends the watch (timeoutSeconds): it is re-opened at once from the bookmark.
    w.close(null);
    await flushPromises();
    expect(src.watches).toHaveLength(2);
    expect(src.lastWatch.opts.resourceVersion).toBe('20');
    expect(src.lists).toHaveLength(1);
    await inf.stop();
  });

  it('relists on a 410 ERROR event, reporting what changed while it was away', async () => {
    const { inf, src, events } = await setup();
    src.listAnswers.push({ items: [obj('a', '10'), obj('b', '11'), obj('c', '12')], resourceVersion: '12' });
    inf.start();
    await flushPromises();
    events.length = 0;
    // While disconnected: a changed, b unchanged, c deleted, d created.
    src.listAnswers.push({
      items: [obj('a', '30', 7), obj('b', '11'), obj('d', '31')],
      resourceVersion: '40',
    });
    src.lastWatch.emit('ERROR', {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    await flushPromises();
    expect(src.lists).toHaveLength(2);
    expect(src.watches[0]?.stopped).toBe(true);
    expect(src.lastWatch.opts.resourceVersion).toBe('40');
    expect(inf.stats.gone).toBe(1);
    expect(events).toEqual([
      { type: 'add', key: 'ns/d', rv: '31' },
      { type: 'update', key: 'ns/a', rv: '30', same: false },
      { type: 'delete', key: 'ns/c', rv: '12' },
    ]);
    expect(inf.keys().sort()).toEqual(['ns/a', 'ns/b', 'ns/d']);
    await inf.stop();
  });

  it('relists when the watch request itself fails with HTTP 410', async () => {
    const { inf, src } = await setup();
    src.listAnswers.push({ items: [], resourceVersion: '5' });
    inf.start();
    await flushPromises();
    src.listAnswers.push({ items: [obj('a', '9')], resourceVersion: '9' });
    src.lastWatch.close(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flushPromises();
    expect(src.lists).toHaveLength(2);
    expect(inf.get('ns/a')).toBeDefined();
    expect(src.lastWatch.opts.resourceVersion).toBe('9');
    await inf.stop();
  });

  it('backs off exponentially (capped) on watch errors and re-watches from the same resourceVersion', async () => {
    // random() = 0 → each delay is exactly half the exponential step: 400, 800, 1600, … ≤ 15000.
    const { inf, src, clock } = await setup({ backoff: { initialMs: 800, maxMs: 30_000 } });
    src.listAnswers.push({ items: [obj('a', '10')], resourceVersion: '10' });
    inf.start();
    await flushPromises();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = src.watches.length;
      src.lastWatch.close(new Error('connection reset'));
      const start = clock.now();
      while (src.watches.length === before) await clock.runNext();
      waits.push(clock.now() - start);
    }
    expect(waits).toEqual([400, 800, 1600, 3200, 6400, 12800, 15000, 15000]);
    expect(src.lists).toHaveLength(1); // no relist for a plain error
    expect(src.watches.every((w) => w.opts.resourceVersion === '10')).toBe(true);
    expect(inf.stats.watchErrors).toBe(8);

    // A watch that delivered events was healthy: the next failure starts the backoff over.
    src.lastWatch.emit('MODIFIED', obj('a', '11'));
    const before = src.watches.length;
    src.lastWatch.close(new Error('reset again'));
    const start = clock.now();
    while (src.watches.length === before) await clock.runNext();
    expect(clock.now() - start).toBe(400);
    await inf.stop();
  });

  it('keeps the backoff jittered within [d/2, d]', async () => {
    let r = 0.999;
    const { inf, src, clock } = await setup({ random: () => r, backoff: { initialMs: 1000, maxMs: 1000 } });
    src.listAnswers.push({ items: [], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    for (const value of [0, 0.5, 0.999]) {
      r = value;
      const before = src.watches.length;
      src.lastWatch.close(new Error('x'));
      const start = clock.now();
      while (src.watches.length === before) await clock.runNext();
      const waited = clock.now() - start;
      expect(waited).toBeGreaterThanOrEqual(500);
      expect(waited).toBeLessThanOrEqual(1000);
      expect(waited).toBeCloseTo(500 + value * 500, 0);
    }
    await inf.stop();
  });

  it('restarts a stalled watch (no event nor bookmark) and is kept alive by bookmarks', async () => {
    const { inf, src, clock } = await setup({ stallTimeoutMs: 120_000 });
    src.listAnswers.push({ items: [obj('a', '10')], resourceVersion: '10' });
    inf.start();
    await flushPromises();
    const first = src.lastWatch;
    await clock.advance(100_000);
    first.emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
    await clock.advance(100_000);
    expect(src.watches).toHaveLength(1); // bookmarks reset the stall timer
    expect(first.stopped).toBe(false);
    await clock.advance(20_000);
    expect(first.stopped).toBe(true);
    expect(src.watches).toHaveLength(2);
    expect(src.lastWatch.opts.resourceVersion).toBe('15');
    expect(inf.stats.stalls).toBe(1);
    // Late events from the abandoned watch are ignored.
    first.emit('ADDED', obj('ghost', '99'));
    expect(inf.get('ns/ghost')).toBeUndefined();
    await inf.stop();
  });

  it('a quiet watch kept alive only by once-a-minute bookmarks, each a little late, never stalls', async () => {
    // Member Deployments are quiet for hours; a stall timeout at the bookmark interval restarted
    // every member watch once a minute (issue 11).
    const { inf, src, clock } = await setup();
    src.listAnswers.push({ items: [obj('a', '10')], resourceVersion: '10' });
    inf.start();
    await flushPromises();
    const watch = src.lastWatch;
    for (let i = 1; i <= 10; i++) {
      await clock.advance(APISERVER_BOOKMARK_INTERVAL_MS + 2_000);
      watch.emit('BOOKMARK', { metadata: { resourceVersion: String(10 + i) } });
    }
    expect(inf.stats.stalls).toBe(0);
    expect(src.watches).toHaveLength(1);
    // Two bookmarks missed: that is a stall.
    await clock.advance(DEFAULT_STALL_TIMEOUT_MS);
    expect(inf.stats.stalls).toBe(1);
    expect(src.lastWatch.opts.resourceVersion).toBe('20');
    await inf.stop();
  });

  it('also times out a watch that never connects', async () => {
    const src = new ScriptedSource();
    const clock = new FakeClock();
    let starts = 0;
    const hanging: ListWatchSource<Obj> = {
      list: (o) => src.list(o),
      watch: () => {
        starts++;
        return new Promise<WatchHandle>(() => {});
      },
    };
    const inf = new Informer<Obj>({ source: hanging, clock, random: () => 0, stallTimeoutMs: 1000 });
    src.listAnswers.push({ items: [], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    expect(starts).toBe(1);
    await clock.advance(1000);
    expect(starts).toBe(2);
    await inf.stop();
  });

  it('retries a failed list with backoff and syncs when it succeeds', async () => {
    const { inf, src, clock } = await setup();
    src.listAnswers.push(new Error('connection refused'), new Error('connection refused'));
    src.listAnswers.push({ items: [obj('a', '1')], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    expect(inf.hasSynced()).toBe(false);
    await clock.advance(399);
    expect(src.lists).toHaveLength(1);
    await clock.advance(1);
    expect(src.lists).toHaveLength(2);
    await clock.advance(800);
    expect(src.lists).toHaveLength(3);
    expect(inf.hasSynced()).toBe(true);
    expect(inf.stats.listErrors).toBe(2);
    await inf.stop();
  });

  it('gives up a list that hangs and tries again', async () => {
    const { inf, src, clock } = await setup({ listTimeoutMs: 5000 });
    inf.start(); // no answer queued: the first list hangs
    await flushPromises();
    src.listAnswers.push({ items: [], resourceVersion: '3' });
    await clock.advance(5000 + 400);
    expect(src.lists).toHaveLength(2);
    expect(inf.hasSynced()).toBe(true);
    await inf.stop();
  });

  it('backs off when starting the watch fails', async () => {
    const { inf, src, clock } = await setup();
    src.listAnswers.push({ items: [], resourceVersion: '1' });
    src.watchStartErrors.push(new Error('ECONNREFUSED'));
    inf.start();
    await flushPromises();
    expect(src.watches).toHaveLength(0);
    await clock.advance(400);
    expect(src.watches).toHaveLength(1);
    await inf.stop();
  });

  it('re-delivers every cached object on each resync period', async () => {
    const { inf, src, clock, events } = await setup({ resyncPeriodMs: 60_000, stallTimeoutMs: 10_000_000 });
    src.listAnswers.push({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '2' });
    inf.start();
    await flushPromises();
    events.length = 0;
    await clock.advance(59_999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual([
      { type: 'update', key: 'ns/a', rv: '1', same: true },
      { type: 'update', key: 'ns/b', rv: '2', same: true },
    ]);
    await clock.advance(60_000);
    expect(events).toHaveLength(4);
    expect(inf.stats.resyncs).toBe(2);
    await inf.stop();
  });

  it('does not resync before the first list', async () => {
    const { inf, src, clock, events } = await setup({ resyncPeriodMs: 1000, listTimeoutMs: 1_000_000 });
    inf.start();
    await clock.advance(5000);
    expect(events).toEqual([]);
    expect(src.lists).toHaveLength(1);
    await inf.stop();
  });

  it('survives a throwing handler', async () => {
    const { inf, src } = await setup();
    const seen: string[] = [];
    inf.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    inf.addEventHandler({ onAdd: (o) => seen.push(objectKey(o)) });
    src.listAnswers.push({ items: [obj('a', '1')], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    src.lastWatch.emit('ADDED', obj('b', '2'));
    expect(seen).toEqual(['ns/a', 'ns/b']);
    expect(inf.get('ns/b')).toBeDefined();
    await inf.stop();
  });

  it('replays the cache to a handler added after sync', async () => {
    const { inf, src } = await setup();
    src.listAnswers.push({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '2' });
    inf.start();
    await flushPromises();
    const seen: string[] = [];
    const remove = inf.addEventHandler({ onAdd: (o) => seen.push(objectKey(o)) });
    expect(seen.sort()).toEqual(['ns/a', 'ns/b']);
    remove();
    src.lastWatch.emit('ADDED', obj('c', '3'));
    expect(seen).toHaveLength(2);
    await inf.stop();
  });

  it('stop() ends the watch and the loop, and leaves no timers behind', async () => {
    const { inf, src, clock } = await setup({ resyncPeriodMs: 1000 });
    src.listAnswers.push({ items: [], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    const w = src.lastWatch;
    await inf.stop();
    expect(w.stopped).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(1_000_000);
    expect(src.watches).toHaveLength(1);
    expect(await inf.waitForSync()).toBe(true);
  });

  it('stop() during a backoff ends at once; waitForSync() then resolves false if never synced', async () => {
    const { inf, src } = await setup();
    src.listAnswers.push(new Error('down'));
    inf.start();
    const waiting = inf.waitForSync();
    await flushPromises();
    await inf.stop();
    expect(await waiting).toBe(false);
    expect(src.lists).toHaveLength(1);
  });

  it('backs off when 410 repeats right after relisting (no hot loop)', async () => {
    const { inf, src, clock } = await setup();
    src.listAnswers.push({ items: [], resourceVersion: '1' });
    inf.start();
    await flushPromises();
    src.listAnswers.push({ items: [], resourceVersion: '2' }, { items: [], resourceVersion: '3' });
    src.lastWatch.emit('ERROR', { code: 410 });
    await flushPromises();
    expect(src.lists).toHaveLength(2); // first 410: immediate relist
    src.lastWatch.emit('ERROR', { code: 410 });
    await flushPromises();
    expect(src.lists).toHaveLength(2); // second in a row: waits
    await clock.advance(400);
    expect(src.lists).toHaveLength(3);
    await inf.stop();
  });
});

import fc from 'fast-check';
import { FakeClock, flushPromises } from './clock.js';
import { ItemExponentialFailureRateLimiter } from './ratelimiter.js';
import { WorkQueue } from './workqueue.js';

function newQueue(clock = new FakeClock()): { q: WorkQueue; clock: FakeClock } {
  return { q: new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) }), clock };
}

/** Resolves whether get() handed something out without waiting. */
async function tryGet(q: WorkQueue): Promise<string | undefined | 'pending'> {
  let result: string | undefined | 'pending' = 'pending';
  void q.get().then((v) => {
    result = v;
  });
  await flushPromises();
  return result;
}

describe('WorkQueue', () => {
  it('processes a key added twice while queued once', async () => {
    const { q } = newQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('holds back a key re-added while processing, and queues it again after done()', async () => {
    const { q } = newQueue();
    q.add('a');
    const key = await q.get();
    expect(key).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    expect(q.isProcessing('a')).toBe(true);
    const waiting = q.get();
    await flushPromises();
    q.done('a');
    expect(await waiting).toBe('a'); // exactly once more
    q.done('a');
    expect(q.len()).toBe(0);
    expect(await tryGet(q)).toBe('pending');
  });

  it('does not queue a key again after done() when it was not re-added', async () => {
    const { q } = newQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('wakes waiting workers in order as keys arrive', async () => {
    const { q } = newQueue();
    const w1 = q.get();
    const w2 = q.get();
    q.add('x');
    q.add('y');
    expect(await w1).toBe('x');
    expect(await w2).toBe('y');
  });

  it('never hands one key to two workers at once, and loses no add (random schedules)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 200 }),
            key: fc.constantFrom('a', 'b', 'c', 'd'),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (adds, durations, workers) => {
          const clock = new FakeClock();
          const q = new WorkQueue({ clock });
          const inFlight = new Set<string>();
          const lastAdd = new Map<string, number>();
          const lastStart = new Map<string, number>();
          let violation = false;
          let n = 0;
          const worker = async (): Promise<void> => {
            for (;;) {
              const key = await q.get();
              if (key === undefined) return;
              if (inFlight.has(key)) violation = true;
              inFlight.add(key);
              lastStart.set(key, clock.now());
              await clock.sleep(durations[n++ % durations.length] ?? 1);
              inFlight.delete(key);
              q.done(key);
            }
          };
          const running = Array.from({ length: workers }, () => worker());
          for (const { at, key } of adds) {
            clock.setTimeout(() => {
              q.add(key);
              lastAdd.set(key, clock.now());
            }, at);
          }
          await clock.advance(10_000);
          await q.shutDownWithDrain();
          await Promise.all(running);
          // Every key was started at or after its last add: nothing was lost.
          for (const [key, t] of lastAdd) {
            if ((lastStart.get(key) ?? -1) < t) return false;
          }
          return !violation;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hands out urgent keys first; an urgent add moves a queued key up, once', async () => {
    const { q } = newQueue();
    for (const k of ['a', 'b', 'c']) q.add(k);
    q.add('d', { urgent: true });
    q.add('b', { urgent: true });
    q.add('b', { urgent: true });
    expect(q.len()).toBe(4);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) order.push(await q.get());
    expect(order).toEqual(['d', 'b', 'a', 'c']);
    expect(q.len()).toBe(0);
    expect(await tryGet(q)).toBe('pending');
  });

  it('an urgent add while a key is processing queues it urgently at done()', async () => {
    const { q } = newQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('x');
    q.add('a', { urgent: true });
    q.done('a');
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(await q.get()).toBe('x');
  });

  it('with both lanes, every pending key is handed out once, urgent ones first (random schedules)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            urgent: fc.boolean(),
            take: fc.boolean(),
          }),
          { maxLength: 80 },
        ),
        async (ops) => {
          const q = new WorkQueue({ clock: new FakeClock() });
          const pending = new Map<string, boolean>(); // key → added urgently since last handed out
          const take = async () => {
            const anyUrgent = [...pending.values()].some((u) => u);
            const key = (await q.get())!;
            expect(pending.has(key)).toBe(true);
            if (anyUrgent) expect(pending.get(key)).toBe(true);
            pending.delete(key);
            q.done(key);
          };
          for (const op of ops) {
            if (op.take) {
              if (q.len() > 0) await take();
              continue;
            }
            q.add(op.key, { urgent: op.urgent });
            pending.set(op.key, (pending.get(op.key) ?? false) || op.urgent);
            expect(q.len()).toBe(pending.size);
          }
          while (q.len() > 0) await take();
          expect(pending.size).toBe(0);
          expect(await tryGet(q)).toBe('pending');
        },
      ),
    );
  });

  it('addAfter() delays a key, and the sooner of two delays wins', async () => {
    const { q, clock } = newQueue();
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    expect(q.len()).toBe(0);
    expect(q.delayed()).toBe(1);
    await clock.advance(49);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    expect(q.delayed()).toBe(0);
    await clock.advance(1000);
    expect(q.len()).toBe(1); // the later timers were dropped, not added again
  });

  it('addRateLimited() backs off exponentially per key until forget()', async () => {
    const { q, clock } = newQueue();
    const readyAfter = async (): Promise<number> => {
      q.addRateLimited('k');
      const start = clock.now();
      while (q.len() === 0) await clock.runNext();
      const waited = clock.now() - start;
      await q.get();
      q.done('k');
      return waited;
    };
    expect(await readyAfter()).toBe(5);
    expect(await readyAfter()).toBe(10);
    expect(await readyAfter()).toBe(20);
    expect(q.numRequeues('k')).toBe(3);
    q.forget('k');
    expect(await readyAfter()).toBe(5);
  });

  it('shutDown() releases waiting workers, ignores adds and hands out no more work', async () => {
    const { q } = newQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('a');
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutDown() drops delayed adds', async () => {
    const { q, clock } = newQueue();
    q.addAfter('a', 10);
    q.shutDown();
    await clock.advance(100);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shutDownWithDrain() waits for in-flight items and does not re-queue them', async () => {
    const { q } = newQueue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    q.add('a'); // dirty while processing
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await flushPromises();
    expect(drained).toBe(false);
    expect(await q.get()).toBeUndefined(); // 'b' is not handed out any more
    q.done(a as string);
    await drain;
    expect(drained).toBe(true);
    expect(q.len()).toBe(1); // only 'b', never handed out; 'a' was not queued again
    expect(q.isProcessing('a')).toBe(false);
  });

  it('reports adds, depth, queue and work duration, and retries to its metrics hooks', async () => {
    const clock = new FakeClock();
    const calls = { add: 0, retry: 0, depth: [] as number[], queued: [] as number[], work: [] as number[] };
    const q = new WorkQueue({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000),
      metrics: {
        add: () => calls.add++,
        retry: () => calls.retry++,
        depth: (d) => calls.depth.push(d),
        queueDuration: (ms) => calls.queued.push(ms),
        workDuration: (ms) => calls.work.push(ms),
      },
    });
    q.add('a');
    q.add('a'); // de-duplicated: not an add
    q.add('b');
    expect(calls.add).toBe(2);
    expect(calls.depth.at(-1)).toBe(2);
    await clock.advance(7);
    const key = await q.get();
    expect(calls.queued).toEqual([7]);
    expect(calls.depth.at(-1)).toBe(1);
    await clock.advance(30);
    expect(q.unfinishedWorkSeconds()).toBeCloseTo(0.03);
    expect(q.longestRunningProcessorSeconds()).toBeCloseTo(0.03);
    q.done(key as string);
    expect(calls.work).toEqual([30]);
    expect(q.unfinishedWorkSeconds()).toBe(0);
    q.addRateLimited('c');
    expect(calls.retry).toBe(1);
  });
});

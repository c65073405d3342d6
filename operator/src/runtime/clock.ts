/**
 * An injectable clock. Production code takes a `Clock` (default `realClock`) so that tests can
 * drive time with `FakeClock` instead of sleeping.
 */

/** Opaque timer handle returned by `Clock.setTimeout`. */
export type TimerHandle = object;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock, backed by the global timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  sleep(ms, signal) {
    return sleepWith(realClock, ms, signal);
  },
};

interface FakeTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/** Lets every pending promise continuation run (one macrotask turn, twice). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A manual clock for tests: time moves only when `advance` is called; timers due within the
 * advanced span run in due order, and promise continuations are flushed after each one.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), seq: id, fn });
    return { fakeTimerId: id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    const id = (handle as { fakeTimerId?: number }).fakeTimerId;
    if (id !== undefined) this.timers.delete(id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  /** Moves time forward by `ms`, firing due timers in order and flushing promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await flushPromises();
    }
    this.current = target;
    await flushPromises();
  }

  /** Advances exactly to the next pending timer and fires it (and any due at the same instant). */
  async runNext(): Promise<boolean> {
    const next = this.earliest();
    if (!next) return false;
    await this.advance(next.due - this.current);
    return true;
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

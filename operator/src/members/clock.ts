// The clock and timers the member probers use, injectable so tests run without sleeping.

/** An opaque timer handle returned by Clock.setTimeout. */
export type TimerHandle = object;

export interface Clock {
  /** Wall-clock time in milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, milliseconds: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Its timers are unref'd: a prober alone never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, milliseconds) {
    const t = setTimeout(callback, Math.max(0, milliseconds));
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due order (ties in creation order)
 * with now() set to their due time; timers scheduled while advancing fire too if they fall
 * inside the advanced window.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(start: number | Date = Date.UTC(2025, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, milliseconds: number): TimerHandle {
    const timer: ManualTimer = { id: this.nextId++, due: this.current + Math.max(0, milliseconds), callback };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Number of timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Move time forward synchronously, firing due timers. */
  advance(milliseconds: number): void {
    const until = this.current + milliseconds;
    for (;;) {
      const next = this.popDue(until);
      if (!next) break;
      this.current = next.due;
      next.callback();
    }
    this.current = until;
  }

  /**
   * Move time forward, letting promise callbacks (and I/O-free async work started by timers)
   * settle after each timer fires, so async loops driven by timers run as they would in real time.
   */
  async advanceAsync(milliseconds: number): Promise<void> {
    const until = this.current + milliseconds;
    await settle();
    for (;;) {
      const next = this.popDue(until);
      if (!next) break;
      this.current = next.due;
      next.callback();
      await settle();
    }
    this.current = until;
    await settle();
  }

  private popDue(until: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.due <= until && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t;
    }
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Let pending promise callbacks run (a macrotask turn; no timers involved). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

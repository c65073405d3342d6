import { FakeClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in due order (ties in creation order) as time advances', async () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@30'), 30);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@30'), 30);
    const cancelled = clock.setTimeout(() => fired.push('x'), 20);
    clock.clearTimeout(cancelled);
    await clock.advance(29);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(129);
    await clock.advance(1);
    expect(fired).toEqual(['a@10', 'b@30', 'c@30']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers scheduled by timers within the same advance, at their own time', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 3) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    await clock.advance(100);
    expect(at).toEqual([10, 20, 30]);
  });

  it('sleep() resolves after the time, or at once when aborted', async () => {
    const clock = new FakeClock();
    let woke = false;
    void clock.sleep(50).then(() => (woke = true));
    await clock.advance(49);
    expect(woke).toBe(false);
    await clock.advance(1);
    expect(woke).toBe(true);

    const ac = new AbortController();
    let aborted = false;
    void clock.sleep(1_000_000, ac.signal).then(() => (aborted = true));
    ac.abort();
    await clock.advance(0);
    expect(aborted).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runNext() jumps to the next timer', async () => {
    const clock = new FakeClock();
    clock.setTimeout(() => {}, 500);
    expect(clock.nextDue()).toBe(500);
    expect(await clock.runNext()).toBe(true);
    expect(clock.now()).toBe(500);
    expect(await clock.runNext()).toBe(false);
  });
});

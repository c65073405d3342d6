import { EventEmitter } from 'node:events';
import { FakeClock, flushPromises } from './clock.js';
import { GracefulShutdown, ShutdownPhase, type SignalSource } from './shutdown.js';

function setup(timeoutMs = 30_000): {
  sd: GracefulShutdown;
  exits: number[];
  clock: FakeClock;
  signals: EventEmitter;
  order: string[];
} {
  const clock = new FakeClock();
  const exits: number[] = [];
  const signals = new EventEmitter();
  const sd = new GracefulShutdown({
    clock,
    timeoutMs,
    exit: (code) => exits.push(code),
    signalSource: signals as unknown as SignalSource,
  });
  return { sd, exits, clock, signals, order: [] };
}

describe('GracefulShutdown', () => {
  it('runs hooks phase by phase on SIGTERM and exits 0', async () => {
    const { sd, exits, signals, order } = setup();
    let releaseDrain: () => void = () => {};
    sd.register({ name: 'http', phase: ShutdownPhase.CloseHttp, run: () => void order.push('http') });
    sd.register({ name: 'lease', phase: ShutdownPhase.ReleaseLease, run: () => void order.push('lease') });
    sd.register({
      name: 'drain',
      phase: ShutdownPhase.WaitInFlight,
      run: () =>
        new Promise<void>((resolve) => {
          order.push('drain-start');
          releaseDrain = () => {
            order.push('drain-end');
            resolve();
          };
        }),
    });
    sd.register({ name: 'queue-a', phase: ShutdownPhase.StopQueues, run: () => void order.push('queue-a') });
    sd.register({ name: 'queue-b', phase: ShutdownPhase.StopQueues, run: () => void order.push('queue-b') });
    sd.install();
    expect(sd.signal.aborted).toBe(false);
    signals.emit('SIGTERM', 'SIGTERM');
    await flushPromises();
    expect(sd.signal.aborted).toBe(true);
    expect(order).toEqual(['queue-a', 'queue-b', 'drain-start']); // waits for in-flight work
    releaseDrain();
    await flushPromises();
    expect(order).toEqual(['queue-a', 'queue-b', 'drain-start', 'drain-end', 'lease', 'http']);
    expect(exits).toEqual([0]);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('still releases the lease and closes HTTP when draining times out, then exits 1', async () => {
    const { sd, exits, clock, order } = setup(30_000);
    sd.register({
      name: 'drain',
      phase: ShutdownPhase.WaitInFlight,
      timeoutMs: 20_000,
      run: () => new Promise(() => {}),
    });
    sd.register({ name: 'lease', phase: ShutdownPhase.ReleaseLease, run: () => void order.push('lease') });
    sd.register({ name: 'http', phase: ShutdownPhase.CloseHttp, run: () => void order.push('http') });
    const done = sd.shutdown('test');
    await clock.advance(19_999);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(await done).toBe(1);
    expect(order).toEqual(['lease', 'http']);
    expect(exits).toEqual([1]);
  });

  it('carries on after a failing hook', async () => {
    const { sd, exits, order } = setup();
    sd.register({
      name: 'bad',
      phase: ShutdownPhase.StopQueues,
      run: () => {
        throw new Error('bug');
      },
    });
    sd.register({ name: 'http', phase: ShutdownPhase.CloseHttp, run: () => void order.push('http') });
    expect(await sd.shutdown('test')).toBe(1);
    expect(order).toEqual(['http']);
    expect(exits).toEqual([1]);
  });

  it('skips hooks once the overall deadline has passed', async () => {
    const { sd, clock, order } = setup(1_000);
    sd.register({ name: 'slow', phase: 1, run: () => new Promise(() => {}) });
    sd.register({ name: 'late', phase: 2, run: () => void order.push('late') });
    const done = sd.shutdown('test');
    await clock.advance(1_000);
    expect(await done).toBe(1);
    expect(order).toEqual([]);
  });

  it('runs once however often it is asked, and a second signal exits at once', async () => {
    const { sd, exits, signals } = setup();
    let runs = 0;
    sd.register({ name: 'h', phase: 1, run: () => new Promise<void>(() => void runs++) });
    sd.install();
    signals.emit('SIGINT', 'SIGINT');
    void sd.shutdown('again');
    await flushPromises();
    expect(runs).toBe(1);
    expect(sd.isShuttingDown()).toBe(true);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
  });

  it('unregisters hooks', async () => {
    const { sd } = setup();
    let ran = false;
    const off = sd.register({ name: 'h', phase: 1, run: () => void (ran = true) });
    off();
    expect(await sd.shutdown('test')).toBe(0);
    expect(ran).toBe(false);
  });
});

import { FakeClock, flushPromises } from './clock.js';
import {
  type LeaderElectionRecord,
  LeaderElector,
  type LeaderElectorOptions,
  type LeaseClient,
  type LeaseState,
  type StoppedLeadingReason,
} from './leader-election.js';

/** One Lease, shared by the fake clients of several replicas. */
class LeaseStore {
  state: { record: LeaderElectionRecord; rv: number } | undefined;
  private rv = 100;
  writes: { by: string; record: LeaderElectionRecord }[] = [];

  read(): LeaseState | undefined {
    return this.state
      ? { record: { ...this.state.record }, resourceVersion: String(this.state.rv) }
      : undefined;
  }

  write(by: string, record: LeaderElectionRecord, expectRv?: string): LeaseState {
    if (expectRv === undefined && this.state) throw Object.assign(new Error('already exists'), { code: 409 });
    if (expectRv !== undefined && (!this.state || String(this.state.rv) !== expectRv)) {
      throw Object.assign(new Error('conflict'), { code: 409 });
    }
    this.state = { record: { ...record }, rv: ++this.rv };
    this.writes.push({ by, record: { ...record } });
    return this.read() as LeaseState;
  }
}

/** A replica's view of the Lease; it can be cut off (failing) or made to hang. */
class FakeLeaseClient implements LeaseClient {
  failing = false;
  hanging = false;
  /** While set, requests wait for it (an in-flight request the test releases). */
  gate: Promise<void> | undefined;
  gets = 0;
  constructor(
    private readonly store: LeaseStore,
    private readonly who: string,
  ) {}
  describe(): string {
    return 'paygrid-system/paygrid-operator-leader';
  }
  private async io<T>(fn: () => T): Promise<T> {
    await Promise.resolve();
    if (this.gate) await this.gate;
    if (this.hanging) return new Promise<T>(() => {});
    if (this.failing) throw new Error('connection refused');
    return fn();
  }
  get(): Promise<LeaseState | undefined> {
    this.gets++;
    return this.io(() => this.store.read());
  }
  create(record: LeaderElectionRecord): Promise<LeaseState> {
    return this.io(() => this.store.write(this.who, record));
  }
  update(record: LeaderElectionRecord, rv: string): Promise<LeaseState> {
    return this.io(() => this.store.write(this.who, record, rv));
  }
}

interface Replica {
  elector: LeaderElector;
  client: FakeLeaseClient;
  started: number[];
  stopped: { at: number; reason: StoppedLeadingReason }[];
  leaderSignal?: AbortSignal;
  metric: boolean[];
  run: Promise<void>;
}

function replica(
  id: string,
  store: LeaseStore,
  clock: FakeClock,
  extra: Partial<LeaderElectorOptions> = {},
): Replica {
  const client = new FakeLeaseClient(store, id);
  const r: Partial<Replica> & { started: number[]; stopped: Replica['stopped']; metric: boolean[] } = {
    client,
    started: [],
    stopped: [],
    metric: [],
  };
  r.elector = new LeaderElector({
    lease: client,
    identity: id,
    name: 'paygrid-operator-leader',
    clock,
    random: () => 0,
    metrics: { setLeader: (_n, leading) => r.metric.push(leading) },
    callbacks: {
      onStartedLeading: (signal) => {
        r.started.push(clock.now());
        r.leaderSignal = signal;
      },
      onStoppedLeading: (reason) => r.stopped.push({ at: clock.now(), reason }),
    },
    ...extra,
  });
  r.run = r.elector.run();
  return r as Replica;
}

describe('LeaderElector', () => {
  it('creates the Lease when absent, leads, and renews it every retry period', async () => {
    const clock = new FakeClock(1_000_000);
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    expect(a.elector.isLeader()).toBe(true);
    expect(a.started).toEqual([1_000_000]);
    expect(a.metric.at(-1)).toBe(true);
    expect(store.state?.record).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    const acquired = store.state?.record.acquireTime?.getTime();
    await clock.advance(2000);
    expect(store.state?.record.renewTime?.getTime()).toBe(1_002_000);
    expect(store.state?.record.acquireTime?.getTime()).toBe(acquired); // kept across renewals
    await clock.advance(2000);
    expect(store.state?.record.renewTime?.getTime()).toBe(1_004_000);
    const getsSoFar = a.client.gets;
    await clock.advance(20_000);
    expect(a.client.gets).toBe(getsSoFar); // renewals use the cached lease (optimistic update, no GET)
    await a.elector.stop();
  });

  it('keeps a standby waiting while the leader renews', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    const b = replica('b', store, clock);
    await clock.advance(120_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.started).toEqual([]);
    expect(b.elector.getLeader()).toBe('a');
    expect(store.writes.every((w) => w.by === 'a')).toBe(true);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('takes over only after the lease expires; the old leader steps down before that', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    const b = replica('b', store, clock);
    await clock.advance(10_000);
    // Partition the leader from the apiserver.
    a.client.failing = true;
    const lastRenew = store.state?.record.renewTime?.getTime() ?? NaN;
    await clock.advance(30_000);

    expect(a.stopped).toHaveLength(1);
    expect(a.stopped[0]?.reason).toBe('lost');
    expect(a.elector.isLeader()).toBe(false);
    expect(a.leaderSignal?.aborted).toBe(true);
    expect(a.metric.at(-1)).toBe(false);
    // The old leader gives up within retryPeriod + renewDeadline of its last renewal…
    const lostAt = a.stopped[0]?.at ?? NaN;
    expect(lostAt - lastRenew).toBeLessThanOrEqual(2_000 + 10_000);

    // …and the standby takes over no sooner than leaseDuration after it last saw a renewal.
    expect(b.elector.isLeader()).toBe(true);
    const takeover = b.started[0] ?? NaN;
    expect(takeover - lastRenew).toBeGreaterThanOrEqual(15_000);
    expect(takeover).toBeGreaterThan(lostAt);
    expect(store.state?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(store.state?.record.acquireTime?.getTime()).toBe(takeover);

    // A's run() is over; it does not come back by itself even when the network heals.
    await a.run;
    a.client.failing = false;
    await clock.advance(30_000);
    expect(store.state?.record.holderIdentity).toBe('b');
    await b.elector.stop();
  });

  it('loses leadership by the renew deadline even when lease requests hang', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    await clock.advance(2000);
    const lastRenew = clock.now();
    a.client.hanging = true;
    await clock.advance(20_000);
    expect(a.stopped.map((s) => s.reason)).toEqual(['lost']);
    expect((a.stopped[0]?.at ?? NaN) - lastRenew).toBeLessThanOrEqual(12_000);
    await a.run;
  });

  it('releases the lease on stop so a standby takes over at once', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    const b = replica('b', store, clock);
    await clock.advance(6_000);
    const stopAt = clock.now();
    await a.elector.stop();
    expect(a.stopped).toEqual([{ at: stopAt, reason: 'stopped' }]);
    expect(a.elector.isLeader()).toBe(false);
    expect(store.state?.record).toMatchObject({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });

    await clock.advance(2_000); // one retry period, far less than the 15 s lease
    expect(b.elector.isLeader()).toBe(true);
    expect(store.state?.record).toMatchObject({
      holderIdentity: 'b',
      leaseDurationSeconds: 15,
      leaseTransitions: 1,
    });
    await b.elector.stop();
  });

  it('waits for an in-flight renewal on stop, then releases with the fresh resourceVersion', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    let open: () => void = () => {};
    a.client.gate = new Promise<void>((resolve) => (open = resolve));
    await clock.advance(2_000); // the renewal is now in flight
    const stopping = a.elector.stop();
    await flushPromises();
    a.client.gate = undefined;
    open();
    await stopping;
    expect(store.state?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(store.writes.map((w) => w.record.holderIdentity)).toEqual(['a', 'a', '']);
  });

  it('hands the lease back without leading when stopped while acquiring', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const client = new FakeLeaseClient(store, 'a');
    let open: () => void = () => {};
    client.gate = new Promise<void>((resolve) => (open = resolve));
    const started: number[] = [];
    const stopped: string[] = [];
    const elector = new LeaderElector({
      lease: client,
      identity: 'a',
      name: 'l',
      clock,
      callbacks: { onStartedLeading: () => started.push(1), onStoppedLeading: (r) => stopped.push(r) },
    });
    const run = elector.run();
    await flushPromises();
    const stopping = elector.stop();
    client.gate = undefined;
    open();
    await stopping;
    await run;
    expect(started).toEqual([]);
    expect(stopped).toEqual([]);
    expect(elector.isLeader()).toBe(false);
    expect(store.state?.record.holderIdentity).toBe(''); // created, then released at once
  });

  it('leaves the lease to expire when releaseOnCancel is false', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock, { releaseOnCancel: false });
    await flushPromises();
    await a.elector.stop();
    expect(store.state?.record.holderIdentity).toBe('a');
    expect(a.stopped.map((s) => s.reason)).toEqual(['stopped']);
  });

  it('lets exactly one of two simultaneous candidates win (resourceVersion conflicts)', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    const b = replica('b', store, clock);
    await flushPromises();
    await clock.advance(10_000);
    const leaders = [a, b].filter((r) => r.elector.isLeader());
    expect(leaders).toHaveLength(1);
    expect(store.state?.record.holderIdentity).toBe(leaders[0]?.elector.identity);

    // Both see the same expired lease: only one update can win.
    const c = replica('c', store, clock);
    const d = replica('d', store, clock);
    for (const r of leaders) r.client.failing = true;
    await clock.advance(40_000);
    const newLeaders = [c, d].filter((r) => r.elector.isLeader());
    expect(newLeaders).toHaveLength(1);
    for (const r of [a, b, c, d]) await r.elector.stop();
  });

  it('stops campaigning when stopped before it ever led', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica('a', store, clock);
    await flushPromises();
    const b = replica('b', store, clock);
    await clock.advance(3_000);
    await b.elector.stop();
    await b.run;
    expect(b.started).toEqual([]);
    expect(b.stopped).toEqual([]);
    expect(store.state?.record.holderIdentity).toBe('a');
    await a.elector.stop();
  });

  it('rejects unsafe timing', () => {
    const store = new LeaseStore();
    const base = {
      lease: new FakeLeaseClient(store, 'x'),
      identity: 'x',
      name: 'l',
      callbacks: { onStartedLeading: () => {}, onStoppedLeading: () => {} },
    };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(
      /leaseDuration must be greater than renewDeadline/,
    );
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(
      /renewDeadline must be greater than retryPeriod/,
    );
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow(/identity/);
  });
});

/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection:
 * - acquire: retry every `retryPeriod` (jittered ×1.2) until the Lease is free, expired, or ours;
 *   expiry is judged by when *this* process observed the Lease change (not the holder's clock);
 * - renew: every `retryPeriod`; if no renewal succeeds within `renewDeadline`, leadership is lost
 *   (renewDeadline < leaseDuration, so the old leader stops before anyone else may start);
 * - writes use the Lease's resourceVersion (optimistic concurrency): one winner per change;
 * - on stop, a leader releases the Lease (empty holderIdentity, leaseDurationSeconds 1) so that a
 *   standby takes over at once (client-go's ReleaseOnCancel).
 * Durations are in milliseconds.
 */
import { CoordinationV1Api, type KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { type Clock, realClock } from './clock.js';
import { describeError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import { makeApiClient } from './api-client.js';

export interface LeaderElectionRecord {
  /** Empty when released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions: number;
}

export interface LeaseState {
  record: LeaderElectionRecord;
  resourceVersion: string;
}

/** Reads and writes one Lease. Errors are thrown (a 409 Conflict on a stale resourceVersion). */
export interface LeaseClient {
  /** `undefined` when the Lease does not exist. */
  get(): Promise<LeaseState | undefined>;
  create(record: LeaderElectionRecord): Promise<LeaseState>;
  /** Replaces the Lease, only if its resourceVersion is still `resourceVersion`. */
  update(record: LeaderElectionRecord, resourceVersion: string): Promise<LeaseState>;
  /** "namespace/name", for logs. */
  describe(): string;
}

export type StoppedLeadingReason = 'lost' | 'stopped';

export interface LeaderCallbacks {
  /** Became leader. `signal` aborts when leadership ends (lost or stopped). */
  onStartedLeading(signal: AbortSignal): void;
  /**
   * Leadership ended. `lost`: renewal failed — another replica may lead within seconds, so stop
   * writing at once (controller-runtime exits the process). `stopped`: `stop()` was called.
   */
  onStoppedLeading(reason: StoppedLeadingReason): void;
  /** The observed holder changed (also for other replicas; "" when released). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionMetricsHook {
  setLeader(name: string, leading: boolean): void;
}

export interface LeaderElectorOptions {
  lease: LeaseClient;
  /** Unique per process, e.g. `${podName}_${uuid}`. */
  identity: string;
  /** Lease name, for the leader_election_master_status metric. */
  name: string;
  callbacks: LeaderCallbacks;
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  /** Release the Lease on stop (default true). */
  releaseOnCancel?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  metrics?: LeaderElectionMetricsHook;
}

/**
 * Candidates poll with a small jitter (client-go uses 1.2, i.e. up to 2.2 retry
 * periods): with a handful of replicas there is no herd to spread, and every
 * second of observation lag adds to the time a dead leader is not replaced.
 */
const CANDIDATE_JITTER_FACTOR = 0.2;
/** client-go's validation: renewDeadline must exceed retryPeriod × this. */
const JITTER_FACTOR = 1.2;
/** Attempt just after the observed lease expires, not exactly on it. */
const EXPIRY_MARGIN_MS = 50;

export class LeaderElectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionConfigError';
  }
}

class TimeoutError extends Error {
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'TimeoutError';
  }
}

export class LeaderElector {
  readonly identity: string;
  readonly name: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;

  private readonly lease: LeaseClient;
  private readonly callbacks: LeaderCallbacks;
  private readonly releaseOnCancel: boolean;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly metrics: LeaderElectionMetricsHook | undefined;

  private observed?: LeaseState;
  private observedTime = 0;
  private observedHolder = '';
  private leading = false;
  private stopped = false;
  private readonly stopController = new AbortController();
  private running?: Promise<void>;

  constructor(opts: LeaderElectorOptions) {
    this.lease = opts.lease;
    this.identity = opts.identity;
    this.name = opts.name;
    this.callbacks = opts.callbacks;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.releaseOnCancel = opts.releaseOnCancel ?? true;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.log = (opts.logger ?? silentLogger()).child({
      lease: opts.lease.describe(),
      identity: opts.identity,
    });
    this.metrics = opts.metrics;
    if (!opts.identity) throw new LeaderElectionConfigError('leader election identity must not be empty');
    if (!(this.retryPeriodMs > 0))
      throw new LeaderElectionConfigError('retryPeriod must be greater than zero');
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new LeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
    }
    if (!(this.renewDeadlineMs > JITTER_FACTOR * this.retryPeriodMs)) {
      throw new LeaderElectionConfigError(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
    }
    if (this.leaseDurationMs % 1000 !== 0) {
      throw new LeaderElectionConfigError('leaseDuration must be a whole number of seconds');
    }
    this.metrics?.setLeader(this.name, false);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed on the Lease ("" if none). */
  getLeader(): string {
    return this.observedHolder;
  }

  /**
   * Campaigns, then leads until leadership is lost or `stop()` is called. Resolves when it is
   * over (after `onStoppedLeading`, if it led). Calling it again returns the same promise.
   */
  run(): Promise<void> {
    this.running ??= this.campaign();
    return this.running;
  }

  /** Stops campaigning or leading; a leader releases the Lease first. Resolves when done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    await this.running;
  }

  private async campaign(): Promise<void> {
    const acquired = await this.acquire();
    if (!acquired) return;
    if (this.stopped) {
      // Won the lease while being stopped: hand it back without ever leading.
      if (this.releaseOnCancel) await this.release();
      return;
    }
    const leaderController = new AbortController();
    this.setLeading(true);
    this.log.info('became leader');
    this.safely(() => this.callbacks.onStartedLeading(leaderController.signal), 'onStartedLeading');

    const reason = await this.renewLoop();
    if (reason === 'lost') {
      this.setLeading(false);
      this.log.error('leader election lost: could not renew the lease before the renew deadline');
    }
    leaderController.abort();
    if (reason === 'stopped') {
      if (this.releaseOnCancel) await this.release();
      this.setLeading(false);
      this.log.info('stopped leading');
    }
    this.safely(() => this.callbacks.onStoppedLeading(reason), 'onStoppedLeading');
  }

  private async acquire(): Promise<boolean> {
    this.log.info('attempting to acquire leader lease');
    while (!this.stopped) {
      const ok = await this.attempt(this.renewDeadlineMs);
      if (ok) return true;
      if (this.stopped) break;
      await this.clock.sleep(this.acquireWaitMs(), this.stopController.signal);
    }
    return false;
  }

  /**
   * How long a candidate waits before its next attempt: a retry period with a
   * little jitter, but never past the moment the observed lease expires, so a
   * dead leader is replaced as soon as its lease runs out rather than up to a
   * (jittered) retry period later. This is what keeps handover under 20 s with
   * the 15 s / 10 s / 2 s defaults; the safety rule (take over only after a
   * full lease duration without observed renewal) is client-go's, unchanged.
   */
  private acquireWaitMs(): number {
    const wait = this.retryPeriodMs * (1 + this.random() * CANDIDATE_JITTER_FACTOR);
    const holder = this.observed?.record.holderIdentity;
    if (!this.observed || !holder || holder === this.identity) return wait;
    const expiresIn =
      this.observedTime + (this.observed.record.leaseDurationSeconds || 0) * 1000 - this.clock.now();
    return expiresIn > 0 ? Math.min(wait, expiresIn + EXPIRY_MARGIN_MS) : wait;
  }

  private async renewLoop(): Promise<StoppedLeadingReason> {
    // The lease was just written: the first renewal is due one retry period from now.
    await this.clock.sleep(this.retryPeriodMs, this.stopController.signal);
    while (!this.stopped) {
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!this.stopped) {
        const remaining = deadline - this.clock.now();
        if (remaining <= 0) break;
        if (await this.attempt(remaining)) {
          renewed = true;
          break;
        }
        const left = deadline - this.clock.now();
        if (left <= 0 || this.stopped) break;
        await this.clock.sleep(Math.min(this.retryPeriodMs, left), this.stopController.signal);
      }
      if (this.stopped) return 'stopped';
      if (!renewed) return 'lost';
      await this.clock.sleep(this.retryPeriodMs, this.stopController.signal);
    }
    return 'stopped';
  }

  /** One tryAcquireOrRenew bounded by `timeoutMs`; errors count as failure. */
  private async attempt(timeoutMs: number): Promise<boolean> {
    try {
      return await this.withTimeout(this.tryAcquireOrRenew(), timeoutMs);
    } catch (err) {
      const log = this.leading ? this.log.warn.bind(this.log) : this.log.debug.bind(this.log);
      log({ error: describeError(err) }, this.leading ? 'failed to renew lease' : 'failed to acquire lease');
      return false;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const mine = (acquireTime: Date | undefined, transitions: number): LeaderElectionRecord => ({
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: acquireTime ?? new Date(now),
      renewTime: new Date(now),
      leaseTransitions: transitions,
    });

    // Fast path (client-go): while leading and the lease we hold is still valid, update it
    // straight from the last observed state without a GET.
    if (this.leading && this.observed && this.observedTime + this.leaseDurationMs > now) {
      const rec = this.observed.record;
      try {
        const state = await this.lease.update(
          mine(rec.acquireTime, rec.leaseTransitions),
          this.observed.resourceVersion,
        );
        this.observe(state, this.clock.now());
        return true;
      } catch (err) {
        this.log.debug({ error: describeError(err) }, 'fast renew failed; re-reading lease');
      }
    }

    const current = await this.lease.get();
    if (!current) {
      const state = await this.lease.create(mine(undefined, 0));
      this.observe(state, this.clock.now());
      return true;
    }
    if (!this.observed || this.observed.resourceVersion !== current.resourceVersion) {
      this.observe(current, now);
    }
    const holder = current.record.holderIdentity;
    const leaseMs = (current.record.leaseDurationSeconds || 0) * 1000;
    if (holder && holder !== this.identity && this.observedTime + leaseMs > now) {
      // Held by another replica and not expired.
      return false;
    }
    const next =
      holder === this.identity
        ? mine(current.record.acquireTime, current.record.leaseTransitions)
        : mine(undefined, (current.record.leaseTransitions || 0) + 1);
    const state = await this.lease.update(next, current.resourceVersion);
    this.observe(state, this.clock.now());
    return true;
  }

  private async release(): Promise<void> {
    if (!this.observed || this.observed.record.holderIdentity !== this.identity) return;
    const now = new Date(this.clock.now());
    try {
      const state = await this.withTimeout(
        this.lease.update(
          {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: this.observed.record.leaseTransitions,
          },
          this.observed.resourceVersion,
        ),
        this.renewDeadlineMs,
      );
      this.observe(state, this.clock.now());
      this.log.info('released leader lease');
    } catch (err) {
      this.log.warn({ error: describeError(err) }, 'failed to release leader lease; it will expire');
    }
  }

  private observe(state: LeaseState, at: number): void {
    this.observed = state;
    this.observedTime = at;
    const holder = state.record.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.log.info({ leader: holder }, 'new leader observed');
      this.safely(() => this.callbacks.onNewLeader?.(holder), 'onNewLeader');
    }
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.metrics?.setLeader(this.name, leading);
  }

  private safely(fn: () => void, what: string): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `${what} callback threw`);
    }
  }

  /**
   * Bounds a lease request by `ms`. `stop()` does not cut a request short: it is waited for, so
   * that a write that lands anyway is known (and released) rather than left behind.
   */
  private withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new TimeoutError('lease request')), ms);
      p.then(
        (v) => {
          this.clock.clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          this.clock.clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}

function toDate(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A `LeaseClient` over client-node's CoordinationV1Api. */
export class KubeLeaseClient implements LeaseClient {
  private readonly api: CoordinationV1Api;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
    readonly leaseName: string,
  ) {
    this.api = makeApiClient(kc, CoordinationV1Api);
  }

  describe(): string {
    return `${this.namespace}/${this.leaseName}`;
  }

  async get(): Promise<LeaseState | undefined> {
    try {
      const lease = await this.api.readNamespacedLease({ name: this.leaseName, namespace: this.namespace });
      return KubeLeaseClient.toState(lease);
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return undefined;
      throw err;
    }
  }

  async create(record: LeaderElectionRecord): Promise<LeaseState> {
    const lease = await this.api.createNamespacedLease({
      namespace: this.namespace,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.leaseName, namespace: this.namespace },
        spec: KubeLeaseClient.toSpec(record),
      },
    });
    return KubeLeaseClient.toState(lease);
  }

  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<LeaseState> {
    const lease = await this.api.replaceNamespacedLease({
      name: this.leaseName,
      namespace: this.namespace,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.leaseName, namespace: this.namespace, resourceVersion },
        spec: KubeLeaseClient.toSpec(record),
      },
    });
    return KubeLeaseClient.toState(lease);
  }

  private static toSpec(r: LeaderElectionRecord): Record<string, unknown> {
    const spec: Record<string, unknown> = {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      leaseTransitions: r.leaseTransitions,
    };
    if (r.acquireTime) spec.acquireTime = new V1MicroTime(r.acquireTime.getTime());
    if (r.renewTime) spec.renewTime = new V1MicroTime(r.renewTime.getTime());
    return spec;
  }

  private static toState(lease: {
    metadata?: { resourceVersion?: string };
    spec?: {
      holderIdentity?: string;
      leaseDurationSeconds?: number;
      acquireTime?: unknown;
      renewTime?: unknown;
      leaseTransitions?: number;
    };
  }): LeaseState {
    const s = lease.spec ?? {};
    const record: LeaderElectionRecord = {
      holderIdentity: s.holderIdentity ?? '',
      leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
      leaseTransitions: s.leaseTransitions ?? 0,
    };
    const acquire = toDate(s.acquireTime);
    const renew = toDate(s.renewTime);
    if (acquire) record.acquireTime = acquire;
    if (renew) record.renewTime = renew;
    return { record, resourceVersion: lease.metadata?.resourceVersion ?? '' };
  }
}

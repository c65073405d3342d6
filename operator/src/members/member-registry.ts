// One entry per member cluster (EdgeSite / CloudCluster): its own KubeConfig and API clients,
// its health, its last probe and what it last reported (version, nodes), and a prober on its
// own timer.
//
// - Clients are built from the member's own KubeConfig (kubeconfig.ts) and rebuilt when the
//   Secret's fingerprint changes, or torn down when the Secret goes away, without a restart.
// - Each member is probed on its own timer with its own period and timeout; no probe awaits
//   another member's, so a slow or dead member never delays the others.
// - A probe slower than the period never overlaps the next: that tick is skipped.
// - Listeners hear about health transitions and status-worthy changes, to enqueue the member.
// - The clock is injectable, so tests drive time by hand.

import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  VersionApi,
  type KubeConfig,
  type V1Secret,
} from '@kubernetes/client-node';
import {
  probeWithDefaults,
  type Member,
  type MemberKind,
  type NodeCounts,
  type ProbeSpec,
} from '../api/index.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { nextHealth, type HealthRecord, type HealthTransition } from './health.js';
import { memberKubeConfig, secretFingerprint, DEFAULT_KUBECONFIG_KEY } from './kubeconfig.js';
import {
  desiredMemberStatus,
  healthFromStatus,
  DEFAULT_STATUS_HEARTBEAT_MILLISECONDS,
} from './member-status.js';
import {
  classifyError,
  fetchMemberInfo,
  infoRefreshDue,
  probeReadyz,
  type InfoProblem,
  type MemberInfo,
  type ProbeOptions,
  type ProbeResult,
  type ProbeTransport,
  type VersionInfo,
} from './probe.js';
import { KubeconfigReason, type KubeconfigReason as KubeconfigReasonType } from './reasons.js';
import { kubeConfigTransport } from './transport.js';

/** The API clients of one member, all built from that member's own KubeConfig. */
export interface MemberClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly objects: KubernetesObjectApi;
  readonly customObjects: CustomObjectsApi;
  readonly version: VersionApi;
}

export function makeMemberClients(kc: KubeConfig): MemberClients {
  return {
    core: makeApiClient(kc, CoreV1Api),
    apps: makeApiClient(kc, AppsV1Api),
    objects: makeObjectApi(kc),
    customObjects: makeApiClient(kc, CustomObjectsApi),
    version: makeApiClient(kc, VersionApi),
  };
}

import { memberKey } from '../api/index.js';
import { makeApiClient, makeObjectApi } from '../runtime/api-client.js';

export { memberKey };

export interface ConfigProblem {
  readonly reason: KubeconfigReasonType;
  readonly message: string;
}

/** A read-only view of one member's entry. */
export interface MemberSnapshot {
  readonly key: string;
  readonly kind: MemberKind;
  readonly name: string;
  /** The apiserver URL (credentials removed); absent while the kubeconfig is unusable. */
  readonly server?: string;
  /** The member's own KubeConfig (the hub's for a CloudCluster without kubeconfigSecretRef). */
  readonly kubeConfig?: KubeConfig;
  readonly clients?: MemberClients;
  /** Why there is no client (SecretNotFound, KubeconfigInvalid, ...). */
  readonly configError?: ConfigProblem;
  /** sha256 of the kubeconfig Secret (resourceVersion + data), or "hub". */
  readonly fingerprint: string;
  readonly probe: Required<ProbeSpec>;
  readonly health: HealthRecord;
  readonly lastProbe?: ProbeResult;
  readonly version?: VersionInfo;
  readonly nodes?: Required<NodeCounts>;
  /** When /version and the nodes were last read (successfully or not). */
  readonly lastInfoAt?: Date;
  /** What the last info read could not get (e.g. Forbidden on nodes). */
  readonly infoProblems: readonly InfoProblem[];
}

export type MemberChangeReason =
  /** The health state changed (see transition). */
  | 'health'
  /** The probe outcome changed (ok/failed, reason or message). */
  | 'probe'
  /** Version or node counts changed. */
  | 'info'
  /** The kubeconfig was (re)loaded or became unusable. */
  | 'config'
  /** Nothing changed for heartbeatMilliseconds: refresh lastProbeTime. */
  | 'heartbeat';

export interface MemberChange {
  readonly key: string;
  readonly kind: MemberKind;
  readonly name: string;
  readonly reasons: readonly MemberChangeReason[];
  /** Present with reason 'health': emit an Event from it and, with detectionMilliseconds, a metric. */
  readonly transition?: HealthTransition;
}

export type MemberListener = (change: MemberChange) => void;

/** A pino-compatible logger. */
export interface MemberLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silentLogger: MemberLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface MemberRegistryOptions {
  /** The operator's own KubeConfig (used as is for a CloudCluster without kubeconfigSecretRef). */
  readonly hubKubeConfig: KubeConfig;
  /** The operator's namespace, where kubeconfig Secrets live. */
  readonly namespace: string;
  readonly clock?: Clock;
  readonly logger?: MemberLogger;
  /** Read /version and nodes at most this often while nothing changes (default 30 s). */
  readonly infoIntervalMilliseconds?: number;
  /** Timeout of each /version and nodes request (default 10 s). */
  readonly infoTimeoutMilliseconds?: number;
  /** Notify 'heartbeat' when nothing was notified for this long (0, the default: never). */
  readonly heartbeatMilliseconds?: number;
  /** Allow exec / auth-provider in member kubeconfigs (default false). */
  readonly allowCredentialPlugins?: boolean;
  /** Allow file paths in member kubeconfigs (default false). */
  readonly allowFileReferences?: boolean;
  /** Called after every probe (for metrics: latency, detection time). Must not throw. */
  readonly onProbe?: (member: MemberSnapshot, result: ProbeResult, transition?: HealthTransition) => void;
  // Seams for tests:
  readonly probe?: (transport: ProbeTransport, options: ProbeOptions) => Promise<ProbeResult>;
  readonly fetchInfo?: (transport: ProbeTransport, options: ProbeOptions) => Promise<MemberInfo>;
  readonly makeTransport?: (kc: KubeConfig) => ProbeTransport;
  readonly makeClients?: (kc: KubeConfig) => MemberClients;
}

interface Entry {
  readonly key: string;
  readonly kind: MemberKind;
  readonly name: string;
  secretName?: string;
  fingerprint: string;
  probe: Required<ProbeSpec>;
  kubeConfig?: KubeConfig;
  clients?: MemberClients;
  transport?: ProbeTransport;
  server?: string;
  configError?: ConfigProblem;
  /** Bumped whenever the kubeconfig changes: results of older probes are dropped. */
  configGeneration: number;
  health: HealthRecord;
  lastProbe?: ProbeResult;
  version?: VersionInfo;
  nodes?: Required<NodeCounts>;
  lastInfoAt?: Date;
  infoProblems: readonly InfoProblem[];
  timer?: TimerHandle;
  /** The running probe, if any (identity decides who may clear it). */
  inFlight?: { readonly abort: AbortController; readonly done: Promise<void> };
  infoInFlight?: { readonly abort: AbortController };
  lastNotifiedAt: number;
  removed: boolean;
}

export class MemberRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<MemberListener>();
  private readonly clock: Clock;
  private readonly log: MemberLogger;
  private readonly probeFn: NonNullable<MemberRegistryOptions['probe']>;
  private readonly fetchInfoFn: NonNullable<MemberRegistryOptions['fetchInfo']>;
  private readonly makeTransport: NonNullable<MemberRegistryOptions['makeTransport']>;
  private readonly makeClients: NonNullable<MemberRegistryOptions['makeClients']>;
  private stopped = false;

  constructor(private readonly options: MemberRegistryOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.probeFn = options.probe ?? probeReadyz;
    this.fetchInfoFn = options.fetchInfo ?? fetchMemberInfo;
    this.makeTransport = options.makeTransport ?? kubeConfigTransport;
    this.makeClients = options.makeClients ?? makeMemberClients;
  }

  /** Register a listener; returns a function that removes it. */
  onChange(listener: MemberListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Create or update a member from its resource and its kubeconfig Secret as currently known
   * (undefined: absent, or not needed for a hub CloudCluster). Cheap when nothing changed:
   * call it on every reconcile. A new entry's health is seeded from the resource's status.
   */
  upsert(kind: MemberKind, member: Member, secret: V1Secret | undefined): MemberSnapshot {
    if (this.stopped) throw new Error('the member registry is stopped');
    const name = member.metadata?.name;
    if (!name) throw new Error(`a ${kind} without metadata.name cannot be registered`);
    const key = memberKey(kind, name);
    const probe = probeWithDefaults(member.spec.probe);
    const ref = member.spec.kubeconfigSecretRef;
    const fingerprint = ref
      ? `${ref.name}/${ref.key || DEFAULT_KUBECONFIG_KEY}/${secretFingerprint(secret)}`
      : kind === 'CloudCluster'
        ? 'hub'
        : 'missing-ref';

    let entry = this.entries.get(key);
    if (!entry) {
      const now = this.clock.now();
      entry = {
        key,
        kind,
        name,
        fingerprint,
        probe,
        configGeneration: 0,
        health: healthFromStatus(member.status, new Date(now)),
        infoProblems: [],
        lastNotifiedAt: now,
        removed: false,
        ...(ref ? { secretName: ref.name } : {}),
      };
      this.entries.set(key, entry);
      this.loadConfig(entry, member, secret);
      this.schedule(entry, 0);
      return this.snapshot(entry);
    }

    entry.secretName = ref?.name;
    const periodChanged = entry.probe.periodSeconds !== probe.periodSeconds;
    entry.probe = probe;
    if (fingerprint !== entry.fingerprint) {
      entry.fingerprint = fingerprint;
      this.cancelInFlight(entry);
      this.loadConfig(entry, member, secret);
      this.notify(entry, ['config']);
      this.reschedule(entry, 0); // probe the new configuration at once
    } else if (periodChanged) {
      this.reschedule(entry, probe.periodSeconds * 1000);
    }
    return this.snapshot(entry);
  }

  /** Stop probing a member and drop its clients. */
  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.teardown(entry);
    this.entries.delete(key);
    return true;
  }

  get(key: string): MemberSnapshot | undefined {
    const entry = this.entries.get(key);
    return entry ? this.snapshot(entry) : undefined;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Keys of the members whose kubeconfigSecretRef names this Secret (for a Secret event handler). */
  membersUsingSecret(secretName: string): string[] {
    return [...this.entries.values()].filter((e) => e.secretName === secretName).map((e) => e.key);
  }

  /**
   * Probe a member now (outside its timer), e.g. right after its Secret changed. Resolves when
   * the probe (the running one, if any) has been applied.
   */
  probeNow(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return Promise.resolve();
    return entry.inFlight?.done ?? this.startProbe(entry);
  }

  /** Stop every prober (graceful shutdown). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.teardown(entry);
    this.entries.clear();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------------------------------

  private loadConfig(entry: Entry, member: Member, secret: V1Secret | undefined): void {
    entry.configGeneration++;
    entry.lastInfoAt = undefined; // possibly another cluster now: read its version and nodes again
    entry.kubeConfig = undefined;
    entry.clients = undefined;
    entry.transport = undefined;
    entry.server = undefined;
    const ref = member.spec.kubeconfigSecretRef;
    if (!ref && entry.kind === 'EdgeSite') {
      entry.configError = {
        reason: KubeconfigReason.KubeconfigInvalid,
        message: 'the EdgeSite has no kubeconfigSecretRef',
      };
      this.log.warn({ member: entry.key, reason: entry.configError.reason }, entry.configError.message);
      return;
    }
    const result = memberKubeConfig(ref, secret, {
      namespace: this.options.namespace,
      hub: this.options.hubKubeConfig,
      ...(this.options.allowCredentialPlugins ? { allowCredentialPlugins: true } : {}),
      ...(this.options.allowFileReferences ? { allowFileReferences: true } : {}),
    });
    if (!result.ok) {
      entry.configError = { reason: result.reason, message: result.message };
      this.log.warn({ member: entry.key, reason: result.reason }, result.message);
      return;
    }
    try {
      entry.transport = this.makeTransport(result.kubeConfig);
      entry.clients = this.makeClients(result.kubeConfig);
    } catch {
      entry.transport = undefined;
      entry.clients = undefined;
      entry.configError = {
        reason: KubeconfigReason.KubeconfigInvalid,
        message: 'the kubeconfig has no usable current cluster',
      };
      return;
    }
    entry.kubeConfig = result.kubeConfig;
    entry.server = result.server;
    entry.configError = undefined;
    this.log.info(
      { member: entry.key, server: result.server, context: result.context },
      'member client ready',
    );
  }

  private schedule(entry: Entry, delayMilliseconds: number): void {
    entry.timer = this.clock.setTimeout(() => this.tick(entry), delayMilliseconds);
  }

  private reschedule(entry: Entry, delayMilliseconds: number): void {
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    this.schedule(entry, delayMilliseconds);
  }

  private tick(entry: Entry): void {
    entry.timer = undefined;
    if (entry.removed) return;
    // Fixed rate: the next tick is due one period after this one, however long the probe takes.
    this.schedule(entry, entry.probe.periodSeconds * 1000);
    if (entry.inFlight) {
      this.log.debug({ member: entry.key }, 'previous probe still running; skipping this one');
      return;
    }
    void this.startProbe(entry);
  }

  private startProbe(entry: Entry): Promise<void> {
    const abort = new AbortController();
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const token = { abort, done };
    entry.inFlight = token;
    void this.runProbe(entry, abort.signal)
      .catch((err: unknown) => this.log.error({ member: entry.key, err }, 'member probe crashed'))
      .finally(() => {
        if (entry.inFlight === token) entry.inFlight = undefined;
        finish();
      });
    return done;
  }

  private async runProbe(entry: Entry, signal: AbortSignal): Promise<void> {
    const generation = entry.configGeneration;
    const transport = entry.transport;
    const timeoutMilliseconds = entry.probe.timeoutSeconds * 1000;
    let result: ProbeResult;
    if (!transport) {
      const problem = entry.configError ?? {
        reason: KubeconfigReason.KubeconfigInvalid,
        message: 'no client for this member',
      };
      result = {
        ok: false,
        reason: problem.reason,
        message: problem.message,
        at: new Date(this.clock.now()),
      };
    } else {
      try {
        result = await this.probeFn(transport, { timeoutMilliseconds, clock: this.clock, signal });
      } catch (err) {
        const c = classifyError(err, {
          server: transport.server,
          path: '/readyz',
          timeoutMilliseconds,
          timedOut: false,
        });
        result = { ok: false, ...c, at: new Date(this.clock.now()) };
      }
    }
    if (entry.removed || signal.aborted || generation !== entry.configGeneration) return;
    this.apply(entry, result);
  }

  private apply(entry: Entry, result: ProbeResult): void {
    const previous = entry.lastProbe;
    const step = nextHealth(entry.health, result, entry.probe);
    entry.health = step.record;
    entry.lastProbe = result;

    const reasons: MemberChangeReason[] = [];
    if (step.transition) {
      reasons.push('health');
      const t = step.transition;
      const level = t.eventType === 'Warning' ? 'warn' : 'info';
      this.log[level](
        {
          member: entry.key,
          from: t.from,
          to: t.to,
          reason: result.reason,
          detectionMilliseconds: t.detectionMilliseconds,
        },
        `member health ${t.from} -> ${t.to}: ${t.message}`,
      );
    }
    if (
      !previous ||
      previous.ok !== result.ok ||
      previous.reason !== result.reason ||
      previous.message !== result.message
    ) {
      reasons.push('probe');
    }

    try {
      this.options.onProbe?.(this.snapshot(entry), result, step.transition);
    } catch (err) {
      this.log.error({ member: entry.key, err }, 'onProbe hook failed');
    }

    const now = this.clock.now();
    if (
      result.ok &&
      entry.transport &&
      !entry.infoInFlight &&
      infoRefreshDue(entry.lastInfoAt, new Date(now), step.transition !== undefined, this.infoInterval)
    ) {
      this.startInfo(entry, entry.transport);
    }
    if (reasons.length === 0 && this.heartbeat > 0 && now - entry.lastNotifiedAt >= this.heartbeat)
      reasons.push('heartbeat');
    if (reasons.length > 0) this.notify(entry, reasons, step.transition);
  }

  private startInfo(entry: Entry, transport: ProbeTransport): void {
    const abort = new AbortController();
    const token = { abort };
    const generation = entry.configGeneration;
    entry.infoInFlight = token;
    const options: ProbeOptions = {
      timeoutMilliseconds: this.options.infoTimeoutMilliseconds ?? 10_000,
      clock: this.clock,
      signal: abort.signal,
    };
    void this.fetchInfoFn(transport, options)
      .then((info) => {
        if (entry.removed || abort.signal.aborted || generation !== entry.configGeneration) return;
        this.applyInfo(entry, info);
      })
      .catch((err: unknown) => this.log.error({ member: entry.key, err }, 'reading member info crashed'))
      .finally(() => {
        if (entry.infoInFlight === token) entry.infoInFlight = undefined;
      });
  }

  private applyInfo(entry: Entry, info: MemberInfo): void {
    entry.lastInfoAt = info.at;
    const changed =
      (info.version !== undefined &&
        (info.version.gitVersion !== entry.version?.gitVersion ||
          info.version.distribution !== entry.version?.distribution)) ||
      (info.nodes !== undefined &&
        (info.nodes.total !== entry.nodes?.total || info.nodes.ready !== entry.nodes?.ready));
    if (info.version) entry.version = info.version;
    if (info.nodes) entry.nodes = info.nodes;
    const problems = (p: readonly InfoProblem[]) =>
      p.map((x) => `${x.what}:${x.reason}:${x.message}`).join('|');
    if (problems(info.problems) !== problems(entry.infoProblems)) {
      for (const p of info.problems) {
        this.log.warn(
          { member: entry.key, what: p.what, reason: p.reason },
          `cannot read member ${p.what}: ${p.message}`,
        );
      }
    }
    entry.infoProblems = info.problems;
    if (changed) this.notify(entry, ['info']);
  }

  private notify(entry: Entry, reasons: MemberChangeReason[], transition?: HealthTransition): void {
    entry.lastNotifiedAt = this.clock.now();
    const change: MemberChange = {
      key: entry.key,
      kind: entry.kind,
      name: entry.name,
      reasons,
      ...(transition ? { transition } : {}),
    };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log.error({ member: entry.key, err }, 'member change listener failed');
      }
    }
  }

  private cancelInFlight(entry: Entry): void {
    entry.inFlight?.abort.abort();
    entry.inFlight = undefined;
    entry.infoInFlight?.abort.abort();
    entry.infoInFlight = undefined;
  }

  private teardown(entry: Entry): void {
    entry.removed = true;
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    this.cancelInFlight(entry);
    entry.clients = undefined;
    entry.transport = undefined;
    entry.kubeConfig = undefined;
  }

  private get infoInterval(): number {
    return this.options.infoIntervalMilliseconds ?? 30_000;
  }

  private get heartbeat(): number {
    return this.options.heartbeatMilliseconds ?? DEFAULT_STATUS_HEARTBEAT_MILLISECONDS;
  }

  private snapshot(e: Entry): MemberSnapshot {
    return {
      key: e.key,
      kind: e.kind,
      name: e.name,
      fingerprint: e.fingerprint,
      probe: e.probe,
      health: e.health,
      infoProblems: e.infoProblems,
      ...(e.server !== undefined ? { server: e.server } : {}),
      ...(e.kubeConfig ? { kubeConfig: e.kubeConfig } : {}),
      ...(e.clients ? { clients: e.clients } : {}),
      ...(e.configError ? { configError: e.configError } : {}),
      ...(e.lastProbe ? { lastProbe: e.lastProbe } : {}),
      ...(e.version ? { version: e.version } : {}),
      ...(e.nodes ? { nodes: e.nodes } : {}),
      ...(e.lastInfoAt ? { lastInfoAt: e.lastInfoAt } : {}),
    };
  }
}

/** The status a member should have, from its registry snapshot (see member-status.ts). */
export function desiredStatusFromSnapshot(
  snapshot: MemberSnapshot,
  member: Member,
  placements: number,
  now: Date,
): ReturnType<typeof desiredMemberStatus> {
  return desiredMemberStatus({
    kind: snapshot.kind,
    member,
    health: snapshot.health,
    placements,
    thresholds: snapshot.probe,
    now,
    ...(snapshot.lastProbe ? { lastProbe: snapshot.lastProbe } : {}),
    ...(snapshot.version ? { version: snapshot.version } : {}),
    ...(snapshot.nodes ? { nodes: snapshot.nodes } : {}),
  });
}

// What the failover suite and benchmark need beyond gateways.ts: a small test
// gateway, a recorder that sees every status version of a gateway or member
// (an apiserver watch, so no write between two polls is missed), the
// invariants every recorded version must keep, and the gateway's Events.
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { Condition, PaymentGateway, Placement } from '@paygrid/operator/api';
import { contextOf, kubeconfigPath, kubectl, type ClusterName } from '../testbed/clusters.js';
import { restore } from '../testbed/faults.js';

export const NS = 'payments';

export interface TestGatewayOptions {
  sites?: number;
  replicas?: number;
  mode?: 'Automatic' | 'Manual';
  detectionWindowSeconds?: number;
  failbackStabilizationSeconds?: number;
  fallback?: ('SameRegionEdge' | 'AnyEdge' | 'Cloud')[];
}

/** A gateway with one serving edge site (edge-a first, edge-b the spare) and small windows. */
export function testGatewayYaml(name: string, o: TestGatewayOptions = {}): string {
  return `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: ${name}, namespace: ${NS} }
spec:
  authorization:
    image: ghcr.io/paygrid/authorization:0.1.0
    replicas: ${o.replicas ?? 1}
    sites: ${o.sites ?? 1}
    # edge-a and edge-b only, whatever other suites add to the hub.
    siteSelector:
      matchExpressions:
        - { key: topology.kubernetes.io/zone, operator: In, values: [eu-west-a, eu-west-b] }
  ledger: { image: ghcr.io/paygrid/ledger:0.1.0, primary: cloud-eu }
  failover:
    mode: ${o.mode ?? 'Automatic'}
    detectionWindowSeconds: ${o.detectionWindowSeconds ?? 3}
    failbackStabilizationSeconds: ${o.failbackStabilizationSeconds ?? 10}
    fallback: [${(o.fallback ?? ['SameRegionEdge', 'AnyEdge']).join(', ')}]
`;
}

/**
 * Restarts a crashed member cluster, as a restarted site's kubelets would come
 * back: KWOK's controller only takes over the nodes whose Leases its previous
 * run held once they expire (kwokctl's default 200 s), so those stale Leases
 * are removed; it then manages its pods again within about a minute.
 */
export function restoreMember(member: 'edge-a' | 'edge-b'): void {
  restore(member);
  kubectl(member, ['-n', 'kube-node-lease', 'delete', 'lease', '--all', '--wait=false']);
}

// ---------------------------------------------------------------- recording

export interface Snapshot<T> {
  /** Date.now() when the version reached us. */
  at: number;
  resourceVersion: string;
  object: T;
}

/**
 * Every version of one object, as a watch delivers them (each write the
 * apiserver persists, in order), with the time each arrived, and when it was
 * deleted. Restarts the watch when the apiserver closes it.
 */
export class ObjectRecorder<T extends { metadata?: { resourceVersion?: string } }> {
  readonly snapshots: Snapshot<T>[] = [];
  /** Times the object was seen deleted. */
  readonly deletions: number[] = [];
  private abort?: AbortController;
  private stopped = false;
  private lastRv?: string;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly name: string,
    private readonly cluster: ClusterName = 'hub',
  ) {}

  async start(): Promise<this> {
    await this.connect();
    return this;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    kc.setCurrentContext(contextOf(this.cluster));
    const query: Record<string, string | boolean> = { fieldSelector: `metadata.name=${this.name}` };
    if (this.lastRv) query.resourceVersion = this.lastRv;
    this.abort = await new Watch(kc)
      .watch(
        this.path,
        query,
        (phase, obj: T) => {
          if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return;
          const rv = obj.metadata?.resourceVersion ?? '';
          this.lastRv = rv;
          if (phase === 'DELETED') this.deletions.push(Date.now());
          else if (this.snapshots.at(-1)?.resourceVersion !== rv)
            this.snapshots.push({ at: Date.now(), resourceVersion: rv, object: obj });
          for (const l of this.listeners) l();
        },
        (err: unknown) => {
          if (this.stopped) return;
          // 410 Gone, a crashed member (or any error): start over from a fresh list.
          if (err) this.lastRv = undefined;
          setTimeout(() => void this.connect().catch(() => this.retry()), err ? 500 : 0);
        },
      )
      .catch((err: unknown) => {
        this.retry();
        throw err;
      });
  }

  private retry(): void {
    if (!this.stopped) setTimeout(() => void this.connect().catch(() => undefined), 1000);
  }

  latest(): T | undefined {
    return this.snapshots.at(-1)?.object;
  }

  /** The first recorded version (at or after `from`) that satisfies `pred`. */
  first(pred: (o: T) => boolean, from = 0): Snapshot<T> | undefined {
    return this.snapshots.find((s) => s.at >= from && pred(s.object));
  }

  /** Resolves with the first version (recorded at or after `from`) that satisfies `pred`. */
  waitFor(
    what: string,
    pred: (o: T) => boolean,
    { from = 0, timeoutMs = 60_000 } = {},
  ): Promise<Snapshot<T>> {
    const hit = this.first(pred, from);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.snapshots.at(-1);
        if (s && s.at >= from && pred(s.object)) {
          done();
          resolve(s);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
    });
  }

  /** Resolves once the latest version satisfies `pred` (at once if it already does). */
  waitForCurrent(what: string, pred: (o: T) => boolean, { timeoutMs = 60_000 } = {}): Promise<Snapshot<T>> {
    const latest = this.snapshots.at(-1);
    return this.waitFor(what, pred, {
      from: latest && pred(latest.object) ? latest.at : Date.now(),
      timeoutMs,
    });
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.listeners = [];
  }
}

export function recordGateway(name: string): Promise<ObjectRecorder<PaymentGateway>> {
  return new ObjectRecorder<PaymentGateway>(
    `/apis/paygrid.io/v1alpha1/namespaces/${NS}/paymentgateways`,
    name,
  ).start();
}

export interface MemberObject {
  metadata?: { name?: string; resourceVersion?: string };
  status?: { health?: string; healthSince?: string; conditions?: Condition[] };
}

export function recordEdgeSite(name: string): Promise<ObjectRecorder<MemberObject>> {
  return new ObjectRecorder<MemberObject>('/apis/paygrid.io/v1alpha1/edgesites', name).start();
}

export interface ConfigMapObject {
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

/** The gateway's authorization ConfigMap on a member, watched directly (not through the fault proxy). */
export function recordMemberConfigMap(
  member: ClusterName,
  gateway: string,
): Promise<ObjectRecorder<ConfigMapObject>> {
  return new ObjectRecorder<ConfigMapObject>(
    `/api/v1/namespaces/${NS}/configmaps`,
    `${gateway}-authorization`,
    member,
  ).start();
}

/** The gateway's authorization Deployment on a member, watched directly. */
export function recordMemberDeployment(
  member: ClusterName,
  gateway: string,
): Promise<ObjectRecorder<{ metadata?: { resourceVersion?: string; uid?: string } }>> {
  return new ObjectRecorder<{ metadata?: { resourceVersion?: string; uid?: string } }>(
    `/apis/apps/v1/namespaces/${NS}/deployments`,
    `${gateway}-authorization`,
    member,
  ).start();
}

// ---------------------------------------------------------------- reading a version

export const authPlacements = (gw: PaymentGateway | undefined): Placement[] =>
  (gw?.status?.placements ?? []).filter((p) => p.component === 'authorization');

export const placementOn = (gw: PaymentGateway | undefined, member: string): Placement | undefined =>
  authPlacements(gw).find((p) => p.member === member);

export const routeMembers = (gw: PaymentGateway | undefined): string[] =>
  gw?.status?.routes?.map((r) => r.member) ?? [];

export const cond = (gw: PaymentGateway | undefined, type: string): Condition | undefined =>
  gw?.status?.conditions?.find((c) => c.type === type);

/** `edge-a:Lost/MemberUnreachable edge-b:FailoverTarget/FailoverServing` */
export function describePlacements(gw: PaymentGateway | undefined): string {
  return authPlacements(gw)
    .map(
      (p) => `${p.member}:${p.state}/${p.reason ?? ''}${p.replacedMember ? `(for ${p.replacedMember})` : ''}`,
    )
    .join(' ');
}

/** One line per recorded version, relative to t0: what an SRE would want to see of a run. */
export function timeline(rec: ObjectRecorder<PaymentGateway>, t0: number): string {
  return rec.snapshots
    .map((s) => {
      const gw = s.object;
      const t = ((s.at - t0) / 1000).toFixed(1).padStart(6);
      const ready = cond(gw, 'Ready');
      return `${t}s epoch=${gw.status?.epoch ?? '-'} routes=[${routeMembers(gw).join(',')}] ${describePlacements(gw)} Ready=${ready?.status ?? '-'}/${ready?.reason ?? ''}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------- invariants

/** What identifies a placement decision (readiness counts and messages aside). */
function placementShape(gw: PaymentGateway): string {
  return JSON.stringify(
    (gw.status?.placements ?? [])
      .map((p) => [p.component, p.memberKind, p.member, p.state, p.replacedMember ?? ''])
      .sort(),
  );
}

/**
 * Checks every recorded version: no member holds two placements of a
 * component; authorization always covers exactly `sites` slots (a slot is the
 * home member: replacedMember, or the member itself), each with at most one
 * Active home placement and placements in known states; the ledger and
 * analytics stay single; the epoch never goes down, and goes up whenever the
 * placements change. Returns the violations, empty when all is well.
 */
export function placementViolations(rec: ObjectRecorder<PaymentGateway>, sites: number): string[] {
  const out: string[] = [];
  let prev: PaymentGateway | undefined;
  for (const s of rec.snapshots) {
    const gw = s.object;
    const at = `rv ${s.resourceVersion}`;
    const placements = gw.status?.placements ?? [];
    if (placements.length === 0) {
      prev = gw;
      continue;
    }
    const seen = new Set<string>();
    for (const p of placements) {
      const key = `${p.component}@${p.memberKind}/${p.member}`;
      if (seen.has(key)) out.push(`${at}: ${key} placed twice: ${describePlacements(gw)}`);
      seen.add(key);
      if (!['Active', 'Standby', 'FailoverTarget', 'Draining', 'Lost'].includes(p.state))
        out.push(`${at}: ${key} in unknown state ${p.state}`);
    }
    const slots = new Map<string, Placement[]>();
    for (const p of authPlacements(gw).filter((x) => x.state !== 'Draining')) {
      const root = p.replacedMember || p.member || '';
      slots.set(root, [...(slots.get(root) ?? []), p]);
    }
    if (slots.size !== sites)
      out.push(`${at}: ${slots.size} authorization slots, want ${sites}: ${describePlacements(gw)}`);
    for (const [root, items] of slots) {
      if (items.filter((p) => p.state === 'Active' && !p.replacedMember).length > 1)
        out.push(`${at}: slot ${root} has two home placements: ${describePlacements(gw)}`);
    }
    for (const c of ['ledger', 'analytics']) {
      const n = placements.filter((p) => p.component === c && p.state !== 'Draining').length;
      if (n > 1) out.push(`${at}: ${n} ${c} placements`);
    }
    const epoch = gw.status?.epoch ?? 0;
    const prevEpoch = prev?.status?.epoch ?? 0;
    if (prev && epoch < prevEpoch) out.push(`${at}: epoch went down ${prevEpoch} → ${epoch}`);
    if (prev && (prev.status?.placements?.length ?? 0) > 0 && placementShape(prev) !== placementShape(gw)) {
      if (epoch <= prevEpoch)
        out.push(`${at}: placements changed without a new epoch (${epoch}): ${describePlacements(gw)}`);
    }
    prev = gw;
  }
  return out;
}

export interface RouteGap {
  /** When the routes went empty (ms). */
  from: number;
  /** When a route came back (ms), or undefined if they are still empty. */
  to?: number;
}

/** Periods with no serving endpoint, after the gateway first had one. */
export function routeGaps(rec: ObjectRecorder<PaymentGateway>): RouteGap[] {
  const gaps: RouteGap[] = [];
  let served = false;
  let open: RouteGap | undefined;
  for (const s of rec.snapshots) {
    const n = routeMembers(s.object).length;
    if (n > 0) {
      served = true;
      if (open) {
        open.to = s.at;
        gaps.push(open);
        open = undefined;
      }
    } else if (served && !open) open = { from: s.at };
  }
  if (open) gaps.push(open);
  return gaps;
}

// ---------------------------------------------------------------- members and Events

/** The epoch in a member's ConfigMap of the gateway's authorization, read directly (not through the proxy). */
export function memberConfigEpoch(member: ClusterName, gateway: string): number | undefined {
  const r = kubectl(member, [
    '-n',
    NS,
    'get',
    'cm',
    `${gateway}-authorization`,
    '-o',
    'jsonpath={.data.epoch}',
  ]);
  return r.code === 0 && r.stdout !== '' ? Number(r.stdout) : undefined;
}

/** uid and creationTimestamp of the gateway's authorization Deployment on a member, read directly. */
export function memberAuthDeployment(
  member: ClusterName,
  gateway: string,
): { uid: string; available: number; replicas: number } | undefined {
  const r = kubectl(member, ['-n', NS, 'get', 'deploy', `${gateway}-authorization`, '-o', 'json']);
  if (r.code !== 0) return undefined;
  const d = JSON.parse(r.stdout) as {
    metadata: { uid: string };
    spec: { replicas?: number };
    status?: { availableReplicas?: number };
  };
  return { uid: d.metadata.uid, available: d.status?.availableReplicas ?? 0, replicas: d.spec.replicas ?? 1 };
}

export interface GatewayEvent {
  reason: string;
  type: string;
  note: string;
  /** ms */
  at: number;
  count: number;
}

/** The gateway's Events (events.k8s.io), of this very object (uid), oldest first. */
export function gatewayEvents(name: string, uid: string | undefined): GatewayEvent[] {
  const r = kubectl('hub', [
    'get',
    'events.events.k8s.io',
    '-n',
    NS,
    '--field-selector',
    `regarding.name=${name}`,
    '-o',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`listing events: ${r.stderr}`);
  type Ev = {
    reason: string;
    type: string;
    note?: string;
    eventTime?: string;
    metadata: { creationTimestamp: string };
    regarding?: { uid?: string };
    series?: { count: number };
  };
  return (JSON.parse(r.stdout) as { items: Ev[] }).items
    .filter((e) => uid === undefined || e.regarding?.uid === uid)
    .map((e) => ({
      reason: e.reason,
      type: e.type,
      note: e.note ?? '',
      at: Date.parse(e.eventTime ?? e.metadata.creationTimestamp),
      count: e.series?.count ?? 1,
    }))
    .sort((a, b) => a.at - b.at);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

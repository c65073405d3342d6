import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type V1Secret,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { CloudCluster, EdgeSite, EdgeSiteStatus, ProbeSpec } from '../api/index.js';
import { ManualClock, settle } from './clock.js';
import {
  desiredStatusFromSnapshot,
  makeMemberClients,
  memberKey,
  MemberRegistry,
  type MemberChange,
  type MemberClients,
  type MemberRegistryOptions,
} from './member-registry.js';
import type {
  MemberInfo,
  ProbeOptions,
  ProbeResult,
  ProbeTransport,
  TransportRequest,
  TransportResponse,
} from './probe.js';
import { b64 } from './testdata/certs.js';

const NS = 'paygrid-system';

function kubeconfigFor(server: string, token = 't0k3n'): string {
  return stringify({
    clusters: [{ name: 'c', cluster: { server } }],
    users: [{ name: 'u', user: { token } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

function secretFor(name: string, server: string, rv = '1'): V1Secret {
  return {
    metadata: { name, namespace: NS, resourceVersion: rv, uid: `uid-${name}` },
    data: { kubeconfig: b64(kubeconfigFor(server)) },
  };
}

function edgeSite(name: string, probe: ProbeSpec = {}, status?: EdgeSiteStatus): EdgeSite {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name, generation: 1 },
    spec: {
      region: 'eu-west',
      kubeconfigSecretRef: { name: `${name}-kubeconfig` },
      endpoint: `https://${name}.pay.example.com`,
      probe: { periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2, ...probe },
    },
    ...(status ? { status } : {}),
  };
}

const serverOf = (name: string) => `https://${name}.example:6443`;

/**
 * Fake apiservers by URL: each answers /readyz per its current mode. 'hang' never answers
 * (until the request is aborted), like a partitioned site.
 */
type Mode = 'ok' | 'down' | 'hang' | 'unauthorized';

class FakeNet {
  readonly modes = new Map<string, Mode>();
  readonly calls: string[] = [];
  readonly transports: { server: string; kc: KubeConfig }[] = [];

  transport = (kc: KubeConfig): ProbeTransport => {
    const server = kc.getCurrentCluster()!.server;
    this.transports.push({ server, kc });
    return {
      server,
      get: (path: string, req: TransportRequest): Promise<TransportResponse> => {
        this.calls.push(`${server}${path}`);
        const mode = this.modes.get(server) ?? 'ok';
        if (path === '/version')
          return Promise.resolve({ status: 200, body: '{"gitVersion":"v1.31.4+k3s1"}' });
        if (path.startsWith('/api/v1/nodes')) {
          return Promise.resolve({
            status: 200,
            body: JSON.stringify({
              items: [{ status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
            }),
          });
        }
        switch (mode) {
          case 'ok':
            return Promise.resolve({ status: 200, body: 'ok' });
          case 'unauthorized':
            return Promise.resolve({ status: 401, body: '' });
          case 'down':
            return Promise.reject(
              Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }),
            );
          case 'hang':
            return new Promise((_, reject) =>
              req.signal.addEventListener('abort', () =>
                reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
              ),
            );
        }
      },
    };
  };

  readyzCalls(name: string): number {
    return this.calls.filter((c) => c === `${serverOf(name)}/readyz`).length;
  }
}

interface Harness {
  clock: ManualClock;
  net: FakeNet;
  registry: MemberRegistry;
  changes: MemberChange[];
  hub: KubeConfig;
}

function harness(extra: Partial<MemberRegistryOptions> = {}): Harness {
  const clock = new ManualClock();
  const net = new FakeNet();
  const hub = new KubeConfig();
  hub.loadFromClusterAndUser(
    { name: 'hub', server: 'https://hub.example:6443', skipTLSVerify: false },
    { name: 'op' },
  );
  const registry = new MemberRegistry({
    hubKubeConfig: hub,
    namespace: NS,
    clock,
    makeTransport: net.transport,
    ...extra,
  });
  const changes: MemberChange[] = [];
  registry.onChange((c) => changes.push(c));
  return { clock, net, registry, changes, hub };
}

const add = (h: Harness, name: string, probe: ProbeSpec = {}, rv = '1', status?: EdgeSiteStatus) =>
  h.registry.upsert(
    'EdgeSite',
    edgeSite(name, probe, status),
    secretFor(`${name}-kubeconfig`, serverOf(name), rv),
  );

let current: Harness | undefined;
afterEach(() => current?.registry.stop());
const setup = (extra: Partial<MemberRegistryOptions> = {}) => (current = harness(extra));

describe('MemberRegistry: clients per member', () => {
  it('builds each member its own KubeConfig and clients from its own Secret', () => {
    const made: KubeConfig[] = [];
    const h = setup({
      makeClients: (kc) => {
        made.push(kc);
        return makeMemberClients(kc);
      },
    });
    const a = add(h, 'edge-a');
    const b = add(h, 'edge-b');
    expect(a.key).toBe('EdgeSite/edge-a');
    expect(a.server).toBe(serverOf('edge-a'));
    expect(a.kubeConfig?.getCurrentCluster()?.server).toBe(serverOf('edge-a'));
    expect(b.kubeConfig?.getCurrentCluster()?.server).toBe(serverOf('edge-b'));
    expect(a.kubeConfig).not.toBe(b.kubeConfig);
    expect(a.kubeConfig).not.toBe(h.hub);
    expect(made).toEqual([a.kubeConfig, b.kubeConfig]);
    expect(a.clients?.core).toBeInstanceOf(CoreV1Api);
    expect(a.clients?.apps).toBeInstanceOf(AppsV1Api);
    expect(a.clients?.objects).toBeInstanceOf(KubernetesObjectApi);
    expect(a.fingerprint).toMatch(/^edge-a-kubeconfig\/kubeconfig\/[0-9a-f]{64}$/);
    expect(h.registry.keys()).toEqual(['EdgeSite/edge-a', 'EdgeSite/edge-b']);
    expect(h.registry.membersUsingSecret('edge-b-kubeconfig')).toEqual(['EdgeSite/edge-b']);
  });

  it('a CloudCluster without kubeconfigSecretRef uses the hub KubeConfig', () => {
    const h = setup();
    const cc: CloudCluster = { metadata: { name: 'hub-cloud' }, spec: { region: 'eu-west' } };
    const s = h.registry.upsert('CloudCluster', cc, undefined);
    expect(s.key).toBe(memberKey('CloudCluster', 'hub-cloud'));
    expect(s.kubeConfig).toBe(h.hub);
    expect(s.fingerprint).toBe('hub');
    expect(s.server).toBe('https://hub.example:6443');
  });

  it('the same Secret again changes nothing; a changed Secret rebuilds the clients and probes at once', async () => {
    const h = setup();
    const first = add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    expect(add(h, 'edge-a').kubeConfig).toBe(first.kubeConfig);
    expect(h.changes.filter((c) => c.reasons.includes('config'))).toEqual([]);

    await h.clock.advanceAsync(500);
    const moved = h.registry.upsert(
      'EdgeSite',
      edgeSite('edge-a'),
      secretFor('edge-a-kubeconfig', 'https://edge-a-new.example:6443', '2'),
    );
    expect(moved.kubeConfig).not.toBe(first.kubeConfig);
    expect(moved.server).toBe('https://edge-a-new.example:6443');
    expect(moved.fingerprint).not.toBe(first.fingerprint);
    expect(h.changes.at(-1)).toMatchObject({ key: 'EdgeSite/edge-a', reasons: ['config'] });
    await h.clock.advanceAsync(0);
    expect(h.net.calls).toContain('https://edge-a-new.example:6443/readyz');
  });

  it('a deleted Secret tears the clients down; probes then fail with SecretNotFound, without I/O', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    const gone = h.registry.upsert('EdgeSite', edgeSite('edge-a'), undefined);
    expect(gone.clients).toBeUndefined();
    expect(gone.kubeConfig).toBeUndefined();
    expect(gone.configError).toEqual({
      reason: 'SecretNotFound',
      message: `Secret ${NS}/edge-a-kubeconfig not found: create it in the operator's namespace with the member's kubeconfig under key "kubeconfig"`,
    });
    const callsBefore = h.net.calls.length;
    await h.clock.advanceAsync(4000);
    expect(h.net.calls.length).toBe(callsBefore);
    const s = h.registry.get('EdgeSite/edge-a')!;
    expect(s.lastProbe).toMatchObject({ ok: false, reason: 'SecretNotFound' });
    expect(s.health.state).toBe('Unreachable');
    // Restoring it brings the client back.
    const back = add(h, 'edge-a', {}, '3');
    expect(back.clients).toBeDefined();
    expect(back.configError).toBeUndefined();
  });

  it('an invalid kubeconfig is reported, not thrown', () => {
    const h = setup();
    const s = h.registry.upsert('EdgeSite', edgeSite('edge-a'), {
      metadata: { name: 'edge-a-kubeconfig', resourceVersion: '1' },
      data: { kubeconfig: b64('clusters: [') },
    });
    expect(s.configError?.reason).toBe('KubeconfigInvalid');
  });
});

describe('MemberRegistry: probing', () => {
  it('probes at once, then every periodSeconds of the member', async () => {
    const h = setup();
    add(h, 'edge-a', { periodSeconds: 2 });
    add(h, 'edge-b', { periodSeconds: 5, timeoutSeconds: 1 });
    await h.clock.advanceAsync(0);
    expect(h.net.readyzCalls('edge-a')).toBe(1);
    expect(h.net.readyzCalls('edge-b')).toBe(1);
    await h.clock.advanceAsync(10_000);
    expect(h.net.readyzCalls('edge-a')).toBe(6); // 0, 2, 4, 6, 8, 10
    expect(h.net.readyzCalls('edge-b')).toBe(3); // 0, 5, 10
  });

  it('a partitioned member does not delay the others, and is Unreachable after failureThreshold', async () => {
    const h = setup();
    add(h, 'edge-a');
    add(h, 'edge-b');
    await h.clock.advanceAsync(0);
    h.net.modes.set(serverOf('edge-a'), 'hang');
    const bBefore = h.net.readyzCalls('edge-b');
    await h.clock.advanceAsync(7000);
    // edge-b kept its cadence while edge-a's probes hung until their timeouts.
    expect(h.net.readyzCalls('edge-b') - bBefore).toBe(3);
    expect(h.registry.get('EdgeSite/edge-b')!.health.state).toBe('Healthy');
    const a = h.registry.get('EdgeSite/edge-a')!;
    expect(a.health.state).toBe('Unreachable');
    expect(a.lastProbe).toMatchObject({ ok: false, reason: 'ProbeTimeout', latencyMilliseconds: 1000 });
    const t = h.changes.find((c) => c.transition?.to === 'Unreachable');
    expect(t).toMatchObject({ key: 'EdgeSite/edge-a', kind: 'EdgeSite', name: 'edge-a' });
    expect(t!.reasons).toContain('health');
    // Failures observed at t=3s, 5s, 7s (each probe times out 1 s after it starts).
    expect(t!.transition).toMatchObject({ eventReason: 'SiteUnreachable', detectionMilliseconds: 4000 });
  });

  it('notifies on transitions and changed outcomes, not on every identical failure', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    h.changes.length = 0;
    h.net.modes.set(serverOf('edge-a'), 'down');
    await h.clock.advanceAsync(20_000); // 10 failed probes
    expect(h.changes.map((c) => [c.reasons, c.transition?.to])).toEqual([
      [['health', 'probe'], 'Suspect'],
      [['health'], 'Unreachable'],
    ]);
    h.net.modes.set(serverOf('edge-a'), 'unauthorized');
    await h.clock.advanceAsync(2000);
    expect(h.changes.at(-1)).toMatchObject({ reasons: ['probe'] });
    expect(h.registry.get('EdgeSite/edge-a')!.lastProbe?.reason).toBe('Unauthorized');
    h.net.modes.set(serverOf('edge-a'), 'ok');
    await h.clock.advanceAsync(4000);
    expect(h.changes.slice(-2).map((c) => c.transition?.to)).toEqual(['Recovering', 'Healthy']);
    expect(h.changes.at(-1)!.transition).toMatchObject({ eventReason: 'SiteRecovered' });
  });

  it('never overlaps a probe slower than the period', async () => {
    let running = 0;
    let maxRunning = 0;
    const pending: ((r: ProbeResult) => void)[] = [];
    const h = setup({
      probe: () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        return new Promise<ProbeResult>((resolve) =>
          pending.push((r) => {
            running--;
            resolve(r);
          }),
        );
      },
    });
    add(h, 'edge-a', { periodSeconds: 2 });
    await h.clock.advanceAsync(7000); // ticks at 0, 2, 4, 6: only the first runs
    expect(pending).toHaveLength(1);
    pending[0]!({
      ok: true,
      reason: 'ProbeSucceeded',
      message: 'ok',
      at: new Date(h.clock.now()),
      latencyMilliseconds: 7000,
    });
    await settle();
    expect(h.registry.get('EdgeSite/edge-a')!.health.state).toBe('Healthy');
    await h.clock.advanceAsync(1000); // tick at 8 starts a new one
    expect(pending).toHaveLength(2);
    expect(maxRunning).toBe(1);
  });

  it('drops the result of a probe that ran with a replaced kubeconfig', async () => {
    const applied: ProbeResult[] = [];
    const h = setup({ onProbe: (_m, r) => applied.push(r) });
    h.net.modes.set(serverOf('edge-a'), 'hang');
    add(h, 'edge-a');
    await h.clock.advanceAsync(500);
    // Replace the Secret while the probe hangs: the old probe is aborted and its result ignored.
    h.registry.upsert(
      'EdgeSite',
      edgeSite('edge-a'),
      secretFor('edge-a-kubeconfig', 'https://edge-a-new.example:6443', '2'),
    );
    await h.clock.advanceAsync(0);
    const s = h.registry.get('EdgeSite/edge-a')!;
    expect(s.lastProbe).toMatchObject({ ok: true });
    expect(s.health).toMatchObject({ state: 'Healthy', consecutiveFailures: 0 });
    expect(applied.map((r) => r.ok)).toEqual([true]);
  });

  it('follows a changed period', async () => {
    const h = setup();
    add(h, 'edge-a', { periodSeconds: 2 });
    await h.clock.advanceAsync(0);
    add(h, 'edge-a', { periodSeconds: 10, timeoutSeconds: 1 });
    await h.clock.advanceAsync(9999);
    expect(h.net.readyzCalls('edge-a')).toBe(1);
    await h.clock.advanceAsync(1);
    expect(h.net.readyzCalls('edge-a')).toBe(2);
  });

  it('seeds health from the status written before, so a restart still goes through Recovering', async () => {
    const h = setup();
    add(h, 'edge-a', {}, '1', { health: 'Unreachable', healthSince: '2024-12-31T23:00:00Z' });
    expect(h.registry.get('EdgeSite/edge-a')!.health.state).toBe('Unreachable');
    await h.clock.advanceAsync(0);
    expect(h.registry.get('EdgeSite/edge-a')!.health.state).toBe('Recovering');
    expect(h.changes.find((c) => c.transition)?.transition).toMatchObject({
      from: 'Unreachable',
      to: 'Recovering',
    });
  });

  it('a failing listener or hook does not stop probing', async () => {
    let hookCalls = 0;
    const onProbe = () => {
      hookCalls++;
      throw new Error('hook');
    };
    const h = setup({ onProbe });
    h.registry.onChange(() => {
      throw new Error('listener');
    });
    add(h, 'edge-a');
    await h.clock.advanceAsync(4000);
    expect(h.net.readyzCalls('edge-a')).toBe(3);
    expect(hookCalls).toBe(3);
    expect(h.changes.length).toBeGreaterThan(0);
  });

  it('onProbe sees every result with its transition', async () => {
    const seen: [string, boolean, string | undefined][] = [];
    const h = setup({ onProbe: (m, r, t) => seen.push([m.key, r.ok, t?.to]) });
    add(h, 'edge-a');
    await h.clock.advanceAsync(2000);
    expect(seen).toEqual([
      ['EdgeSite/edge-a', true, 'Healthy'],
      ['EdgeSite/edge-a', true, undefined],
    ]);
  });

  it('probeNow probes outside the timer, sharing a running probe', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    await h.registry.probeNow('EdgeSite/edge-a');
    expect(h.net.readyzCalls('edge-a')).toBe(2);
    await h.registry.probeNow('EdgeSite/nope');
  });

  it('remove and stop clear timers and abort running probes', async () => {
    const h = setup();
    h.net.modes.set(serverOf('edge-a'), 'hang');
    add(h, 'edge-a');
    add(h, 'edge-b');
    await h.clock.advanceAsync(0);
    expect(h.registry.remove('EdgeSite/edge-a')).toBe(true);
    expect(h.registry.remove('EdgeSite/edge-a')).toBe(false);
    expect(h.registry.get('EdgeSite/edge-a')).toBeUndefined();
    await h.clock.advanceAsync(10_000);
    expect(h.net.readyzCalls('edge-a')).toBe(1);
    expect(h.changes.some((c) => c.key === 'EdgeSite/edge-a' && c.transition?.to === 'Unreachable')).toBe(
      false,
    );
    h.registry.stop();
    expect(h.clock.pendingTimers).toBe(0);
    expect(() => add(h, 'edge-c')).toThrow('stopped');
  });
});

describe('MemberRegistry: version and nodes', () => {
  it('reads them after the first success, then at most every 30 s or on a health change', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    const s = h.registry.get('EdgeSite/edge-a')!;
    expect(s.version).toEqual({ gitVersion: 'v1.31.4+k3s1', distribution: 'K3s' });
    expect(s.nodes).toEqual({ total: 1, ready: 1 });
    expect(h.changes.some((c) => c.reasons.includes('info'))).toBe(true);
    const versionReads = () => h.net.calls.filter((c) => c.endsWith('/version')).length;
    expect(versionReads()).toBe(1);
    await h.clock.advanceAsync(28_000);
    expect(versionReads()).toBe(1);
    await h.clock.advanceAsync(2000);
    expect(versionReads()).toBe(2);
    // Same answers: no 'info' notification the second time.
    expect(h.changes.filter((c) => c.reasons.includes('info'))).toHaveLength(1);
  });

  it('a slow info read does not hold up probes', async () => {
    const infoCalls: ((i: MemberInfo) => void)[] = [];
    const h = setup({
      fetchInfo: (_t: ProbeTransport, _o: ProbeOptions) => new Promise<MemberInfo>((r) => infoCalls.push(r)),
    });
    add(h, 'edge-a');
    await h.clock.advanceAsync(60_000);
    expect(h.net.readyzCalls('edge-a')).toBe(31);
    expect(infoCalls).toHaveLength(1); // never a second one while the first is running
    infoCalls[0]!({ at: new Date(h.clock.now()), nodes: { total: 2, ready: 1 }, problems: [] });
    await settle();
    expect(h.registry.get('EdgeSite/edge-a')!.nodes).toEqual({ total: 2, ready: 1 });
  });
});

describe('MemberRegistry: heartbeat and status', () => {
  it('notifies a heartbeat when nothing changed for the interval', async () => {
    const h = setup({ heartbeatMilliseconds: 60_000 });
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    h.changes.length = 0;
    await h.clock.advanceAsync(59_000);
    expect(h.changes.filter((c) => c.reasons.includes('heartbeat'))).toHaveLength(0);
    await h.clock.advanceAsync(2000);
    expect(h.changes.filter((c) => c.reasons.includes('heartbeat'))).toHaveLength(1);
  });

  it('notifies no heartbeat by default: a member that stays healthy causes no status write', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    h.changes.length = 0;
    await h.clock.advanceAsync(60 * 60_000);
    expect(h.changes).toEqual([]);
  });

  it('desiredStatusFromSnapshot turns a snapshot into the status', async () => {
    const h = setup();
    add(h, 'edge-a');
    await h.clock.advanceAsync(0);
    const snap = h.registry.get('EdgeSite/edge-a')!;
    const status = desiredStatusFromSnapshot(snap, edgeSite('edge-a'), 3, new Date(h.clock.now()));
    expect(status).toMatchObject({
      health: 'Healthy',
      kubernetesVersion: 'v1.31.4+k3s1',
      distribution: 'K3s',
      nodes: { total: 1, ready: 1 },
      placements: 3,
      observedGeneration: 1,
    });
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['Reachable', 'True'],
      ['Ready', 'True'],
    ]);
  });
});

// Keep the MemberClients type exercised for the lead's wiring.
export type _Clients = MemberClients;

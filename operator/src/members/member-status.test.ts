import fc from 'fast-check';
import type { EdgeSiteSpec, EdgeSiteStatus } from '../api/index.js';
import { HealthState, initialHealth, nextHealth, type HealthRecord } from './health.js';
import {
  desiredMemberStatus,
  healthFromStatus,
  statusChanges,
  statusWriteDelay,
  type MemberStatusInput,
} from './member-status.js';
import type { ProbeResult } from './probe.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000);
const iso = (s: number) =>
  at(s)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

const okProbe = (s: number, latency = 12.4): ProbeResult => ({
  ok: true,
  reason: 'ProbeSucceeded',
  message: 'https://edge-a:6443 answered /readyz',
  at: at(s),
  latencyMilliseconds: latency,
  statusCode: 200,
});
const failedProbe = (s: number): ProbeResult => ({
  ok: false,
  reason: 'ProbeTimeout',
  message: 'https://edge-a:6443 did not answer /readyz within 1000 ms',
  at: at(s),
  latencyMilliseconds: 1000,
});

const record = (
  state: HealthRecord['state'],
  since = 0,
  extra: Partial<HealthRecord> = {},
): HealthRecord => ({
  state,
  since: at(since),
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  ...extra,
});

function input(
  over: Partial<MemberStatusInput> = {},
  status?: EdgeSiteStatus,
  cordoned = false,
): MemberStatusInput {
  return {
    kind: 'EdgeSite',
    member: {
      metadata: { name: 'edge-a', generation: 4 },
      spec: { ...SPEC, cordoned },
      ...(status ? { status } : {}),
    },
    health: record('Healthy'),
    lastProbe: okProbe(10),
    version: { gitVersion: 'v1.31.4+k3s1', distribution: 'K3s' },
    nodes: { total: 3, ready: 3 },
    placements: 2,
    thresholds: { failureThreshold: 3, successThreshold: 2 },
    now: at(10),
    ...over,
  };
}

const SPEC: EdgeSiteSpec = {
  region: 'eu-west',
  kubeconfigSecretRef: { name: 'edge-a-kubeconfig' },
  endpoint: 'https://edge-a.pay.example.com',
};

const cond = (s: EdgeSiteStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('desiredMemberStatus', () => {
  it('a healthy site: every field', () => {
    expect(desiredMemberStatus(input())).toEqual({
      observedGeneration: 4,
      conditions: [
        {
          type: 'Reachable',
          status: 'True',
          reason: 'ProbeSucceeded',
          message: 'the apiserver answers /readyz',
          observedGeneration: 4,
          lastTransitionTime: iso(10),
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'Healthy',
          message: 'the site answers its probes; 3 of 3 nodes are Ready',
          observedGeneration: 4,
          lastTransitionTime: iso(10),
        },
      ],
      health: 'Healthy',
      healthSince: iso(0),
      lastProbeTime: iso(10),
      lastProbeLatencyMilliseconds: 12,
      kubernetesVersion: 'v1.31.4+k3s1',
      distribution: 'K3s',
      nodes: { total: 3, ready: 3 },
      placements: 2,
    });
  });

  it('before any probe: Unknown conditions, distribution Unknown, no probe fields', () => {
    const s = desiredMemberStatus(
      input({ health: initialHealth(at(0)), lastProbe: undefined, version: undefined, nodes: undefined }),
    );
    expect(s).toEqual({
      observedGeneration: 4,
      conditions: [
        expect.objectContaining({ type: 'Reachable', status: 'Unknown', reason: 'AwaitingFirstProbe' }),
        expect.objectContaining({ type: 'Ready', status: 'Unknown', reason: 'AwaitingFirstProbe' }),
      ],
      health: 'Unknown',
      healthSince: iso(0),
      distribution: 'Unknown',
      placements: 2,
    });
    expect(cond(s, 'Reachable')?.message).toBe('the operator has not probed the site yet');
  });

  it('Unknown but failing shows the probe reason while still Unknown', () => {
    const s = desiredMemberStatus(
      input({ health: record('Unknown', 0, { consecutiveFailures: 1 }), lastProbe: failedProbe(3) }),
    );
    expect(cond(s, 'Reachable')).toMatchObject({
      status: 'Unknown',
      reason: 'ProbeTimeout',
      message: 'no probe has succeeded yet: https://edge-a:6443 did not answer /readyz within 1000 ms',
    });
  });

  it('Suspect stays Reachable and Ready, with ProbeFailing', () => {
    const s = desiredMemberStatus(input({ health: record('Suspect', 5), lastProbe: failedProbe(5) }));
    expect(cond(s, 'Reachable')).toMatchObject({
      status: 'True',
      reason: 'ProbeFailing',
      message:
        'recent probes failed (ProbeTimeout: https://edge-a:6443 did not answer /readyz within 1000 ms); the site becomes Unreachable after 3 consecutive failures',
    });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Healthy' });
  });

  it('Unreachable: Reachable=False and Ready=False both carry the probe reason; last good data kept', () => {
    const previous = desiredMemberStatus(input());
    const s = desiredMemberStatus(
      input(
        {
          health: record('Unreachable', 20),
          lastProbe: failedProbe(20),
          version: undefined,
          nodes: undefined,
          now: at(20),
        },
        previous,
      ),
    );
    expect(cond(s, 'Reachable')).toMatchObject({
      status: 'False',
      reason: 'ProbeTimeout',
      message: 'https://edge-a:6443 did not answer /readyz within 1000 ms',
      lastTransitionTime: iso(20),
    });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProbeTimeout',
      lastTransitionTime: iso(20),
    });
    expect(cond(s, 'Ready')?.message).toContain('its placements fail over');
    expect(s).toMatchObject({
      health: 'Unreachable',
      healthSince: iso(20),
      lastProbeTime: iso(20),
      // Latency is that of the last successful probe.
      lastProbeLatencyMilliseconds: 12,
      kubernetesVersion: 'v1.31.4+k3s1',
      distribution: 'K3s',
      nodes: { total: 3, ready: 3 },
    });
  });

  it('Recovering: reachable but not Ready yet', () => {
    const s = desiredMemberStatus(input({ health: record('Recovering', 30) }));
    expect(cond(s, 'Reachable')).toMatchObject({ status: 'True', reason: 'Recovering' });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Recovering',
      message: 'the apiserver answers again; the site is Healthy after 2 consecutive successful probes',
    });
  });

  it('cordoned sites are not Ready', () => {
    const s = desiredMemberStatus(input({}, undefined, true));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Cordoned' });
    expect(cond(s, 'Reachable')).toMatchObject({ status: 'True' });
  });

  it('no Ready node is not Ready (known from this probe or from the previous status)', () => {
    expect(cond(desiredMemberStatus(input({ nodes: { total: 2, ready: 0 } })), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NoReadyNodes',
      message: "none of the site's 2 nodes is Ready",
    });
    expect(cond(desiredMemberStatus(input({ nodes: { total: 0, ready: 0 } })), 'Ready')?.message).toBe(
      "the site's cluster has no nodes",
    );
    const prev: EdgeSiteStatus = { nodes: { total: 1, ready: 0 } };
    expect(cond(desiredMemberStatus(input({ nodes: undefined }, prev)), 'Ready')?.reason).toBe(
      'NoReadyNodes',
    );
  });

  it('says "cluster" for a CloudCluster', () => {
    const s = desiredMemberStatus(input({ kind: 'CloudCluster', nodes: undefined }));
    expect(cond(s, 'Ready')?.message).toBe('the cluster answers its probes');
  });

  it('keeps lastTransitionTime while a condition status is unchanged, even if reason/message change', () => {
    const first = desiredMemberStatus(input({ now: at(10) }));
    const later = desiredMemberStatus(
      input({ health: record('Suspect', 50), lastProbe: failedProbe(50), now: at(50) }, first),
    );
    expect(cond(later, 'Reachable')).toMatchObject({ reason: 'ProbeFailing', lastTransitionTime: iso(10) });
    const down = desiredMemberStatus(
      input({ health: record('Unreachable', 60), lastProbe: failedProbe(60), now: at(60) }, later),
    );
    expect(cond(down, 'Reachable')).toMatchObject({ status: 'False', lastTransitionTime: iso(60) });
  });

  it('keeps conditions of other types', () => {
    const prev: EdgeSiteStatus = {
      conditions: [{ type: 'Custom', status: 'True', reason: 'X', message: '', lastTransitionTime: iso(0) }],
    };
    expect(desiredMemberStatus(input({}, prev)).conditions?.map((c) => c.type)).toEqual([
      'Custom',
      'Reachable',
      'Ready',
    ]);
  });

  it('an empty gitVersion keeps the previous version', () => {
    const prev = desiredMemberStatus(input());
    const s = desiredMemberStatus(input({ version: { gitVersion: '', distribution: 'Unknown' } }, prev));
    expect(s).toMatchObject({ kubernetesVersion: 'v1.31.4+k3s1', distribution: 'K3s' });
  });

  it('no generation: no observedGeneration anywhere', () => {
    const s = desiredMemberStatus({ ...input(), member: { spec: SPEC } });
    expect(s.observedGeneration).toBeUndefined();
    expect(s.conditions?.every((c) => c.observedGeneration === undefined)).toBe(true);
  });
});

describe('statusChanges', () => {
  const write = (old: EdgeSiteStatus | undefined, next: EdgeSiteStatus, now: number, heartbeat?: number) =>
    statusChanges(old, next, {
      now: at(now),
      ...(heartbeat !== undefined ? { heartbeatMilliseconds: heartbeat } : {}),
    });

  const base = desiredMemberStatus(input({ lastProbe: okProbe(10), now: at(10) }));

  it('writes the first status', () => {
    expect(write(undefined, base, 10)).toEqual(['status']);
  });

  it('a probe that only moved lastProbeTime and latency is not written', () => {
    const next = desiredMemberStatus(input({ lastProbe: okProbe(12, 80), now: at(12) }, base));
    expect(next.lastProbeTime).not.toBe(base.lastProbeTime);
    expect(next.lastProbeLatencyMilliseconds).toBe(80);
    expect(write(base, next, 12)).toEqual([]);
  });

  it('…never by default, however old the written lastProbeTime (no writes at rest)', () => {
    const later = desiredMemberStatus(input({ lastProbe: okProbe(100_000), now: at(100_000) }, base));
    expect(write(base, later, 100_000)).toEqual([]);
  });

  it('…until a heartbeat interval, when one is set, has passed since the written lastProbeTime', () => {
    const next = desiredMemberStatus(input({ lastProbe: okProbe(309), now: at(309) }, base));
    expect(write(base, next, 309, 300_000)).toEqual([]);
    const later = desiredMemberStatus(input({ lastProbe: okProbe(310), now: at(310) }, base));
    expect(write(base, later, 310, 300_000)).toEqual(['heartbeat']);
    expect(write(base, later, 12, 2000)).toEqual(['heartbeat']);
    expect(write(base, later, 11, 2000)).toEqual([]);
  });

  it('no heartbeat without a newer probe', () => {
    expect(write(base, base, 10_000)).toEqual([]);
  });

  it.each<[string, Partial<MemberStatusInput>, string[]]>([
    ['health', { health: record('Suspect', 0), lastProbe: failedProbe(11) }, ['conditions', 'health']],
    ['version', { version: { gitVersion: 'v1.32.0+k3s1', distribution: 'K3s' } }, ['kubernetesVersion']],
    ['nodes', { nodes: { total: 3, ready: 2 } }, ['conditions', 'nodes']],
    ['placements', { placements: 3 }, ['placements']],
  ])('%s changes are written', (_n, over, fields) => {
    const next = desiredMemberStatus(input({ ...over, now: at(11) }, base));
    expect(write(base, next, 11)).toEqual(expect.arrayContaining(fields));
  });

  it('a new generation is written', () => {
    const next = desiredMemberStatus({
      ...input({}, base),
      member: { metadata: { generation: 5 }, spec: SPEC, status: base },
    });
    expect(write(base, next, 11)).toEqual(expect.arrayContaining(['conditions', 'observedGeneration']));
  });

  it('condition order on the server does not matter', () => {
    const reversed = { ...base, conditions: [...(base.conditions ?? [])].reverse() };
    expect(write(reversed, base, 10)).toEqual([]);
  });

  it('property: re-deriving from the written status with only new probe times never writes before the heartbeat', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 299 }), fc.integer({ min: 0, max: 5000 })), {
          maxLength: 30,
        }),
        (probes) => {
          let t = 10;
          for (const [dt, latency] of probes) {
            t += dt;
            if (t - 10 >= 300) break;
            const next = desiredMemberStatus(input({ lastProbe: okProbe(t, latency), now: at(t) }, base));
            expect(statusChanges(base, next, { now: at(t) })).toEqual([]);
          }
        },
      ),
    );
  });

  it('a Healthy -> Unreachable -> Recovering -> Healthy run writes on every state change', () => {
    let health = record('Healthy');
    let written = base;
    const writes: string[] = [];
    const outcomes = [false, false, false, false, true, true, true];
    outcomes.forEach((ok, i) => {
      const s = 11 + i;
      const probe = ok ? okProbe(s) : failedProbe(s);
      health = nextHealth(health, probe, { failureThreshold: 3, successThreshold: 2 }).record;
      const next = desiredMemberStatus(input({ health, lastProbe: probe, now: at(s) }, written));
      if (statusChanges(written, next, { now: at(s) }).length > 0) {
        writes.push(`${health.state}`);
        written = next;
      }
    });
    expect(writes).toEqual(['Suspect', 'Unreachable', 'Recovering', 'Healthy']);
  });
});

describe('healthFromStatus', () => {
  it('seeds the state machine from a written status', () => {
    expect(healthFromStatus({ health: 'Unreachable', healthSince: iso(5) }, at(100))).toEqual({
      state: 'Unreachable',
      since: at(5),
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      unreachableSince: at(5),
    });
    expect(healthFromStatus({ health: 'Suspect', healthSince: iso(5) }, at(100))).toMatchObject({
      state: 'Suspect',
      consecutiveFailures: 1,
      failingSince: at(5),
    });
    expect(healthFromStatus(undefined, at(100))).toEqual(initialHealth(at(100)));
    expect(healthFromStatus({ health: 'Healthy', healthSince: 'garbage' }, at(100)).since).toEqual(at(100));
  });

  it('a restarted operator still requires Recovering for a member that was Unreachable', () => {
    const seeded = healthFromStatus({ health: 'Unreachable', healthSince: iso(5) }, at(100));
    expect(nextHealth(seeded, okProbe(101)).record.state).toBe(HealthState.Recovering);
  });
});

describe('statusWriteDelay', () => {
  it('writes health, conditions and the first write at once', () => {
    expect(statusWriteDelay(['health', 'conditions'], 1000, 1001)).toBe(0);
    expect(statusWriteDelay(['placements', 'nodes'], 1000, 1001)).toBe(0);
    expect(statusWriteDelay(['placements'], undefined, 1001)).toBe(0);
  });
  it('holds a change of the placements count alone until the interval since the last write', () => {
    expect(statusWriteDelay(['placements'], 1000, 2000, 5000)).toBe(4000);
    expect(statusWriteDelay(['placements'], 1000, 6000, 5000)).toBe(0);
    expect(statusWriteDelay(['placements'], 1000, 9000, 5000)).toBe(0);
  });
});

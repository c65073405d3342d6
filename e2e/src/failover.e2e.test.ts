// Failover and failback under real faults (issue 4 §4): a member cluster
// stopped, the operator's path to it cut, a broken workload on a healthy
// site, the operator itself killed mid-way, manual moves and cordon. Every
// version of each gateway's status is recorded (an apiserver watch), and
// checked: no placement duplicated or lost, the epoch only grows, and the
// routes never go empty except, bounded, between a site's loss and its
// replacement serving.
import type { PaymentGateway } from '@paygrid/operator/api';
import { kubectl } from './testbed/clusters.js';
import { crash, heal, partition } from './testbed/faults.js';
import { applyMembers, installCrds, registerMemberSecrets, repo } from './harness/install.js';
import { OperatorProcess } from './harness/operator-process.js';
import { ChartIdentity } from './harness/chart-identity.js';
import { waitFor } from './harness/wait.js';
import { applyYaml, isReady, memberDeployments } from './harness/gateways.js';
import {
  NS,
  authPlacements,
  cond,
  gatewayEvents,
  memberAuthDeployment,
  memberConfigEpoch,
  placementOn,
  placementViolations,
  recordEdgeSite,
  recordGateway,
  recordMemberConfigMap,
  recordMemberDeployment,
  restoreMember,
  routeGaps,
  routeMembers,
  sleep,
  testGatewayYaml,
  timeline,
  type ObjectRecorder,
  type TestGatewayOptions,
} from './harness/failover.js';
import { join } from 'node:path';

/** Probe defaults of the EdgeSites (period 2 s, 3 failures): the member is Unreachable within ~6–8 s. */
const PROBE_DETECTION_S = 8;

let operator: OperatorProcess;
const started: OperatorProcess[] = [];
// The operators here run as the Helm chart's ServiceAccount: failover, fencing, failback and
// moves need nothing the chart does not grant.
const chartIdentity = new ChartIdentity('paygrid-failover-e2e');
let saKubeconfig = '';
const startOperator = async (identity: string) => {
  const p = new OperatorProcess({ identity, kubeconfig: saKubeconfig });
  started.push(p);
  return p.start();
};
const recorders: ObjectRecorder<never>[] = [];

/** Puts every member back as the suite expects it: running, reachable, uncordoned. */
async function restoreTestbed(): Promise<void> {
  for (const m of ['edge-a', 'edge-b'] as const) {
    await heal(m);
    if (kubectl(m, ['get', '--raw', '/readyz']).code !== 0) restoreMember(m);
    kubectl('hub', ['patch', 'es', m, '--type', 'merge', '-p', '{"spec":{"cordoned":false}}']);
    kubectl(m, ['uncordon', ...EDGE_NODES(m)]);
  }
}

beforeAll(async () => {
  installCrds();
  registerMemberSecrets();
  applyMembers();
  kubectl('hub', ['apply', '-f', join(repo, 'examples', 'namespace.yaml')]);
  await restoreTestbed();
  chartIdentity.install();
  saKubeconfig = chartIdentity.kubeconfig();
  operator = await startOperator('failover-1');
  await waitFor(
    'edge sites Healthy',
    () =>
      ['edge-a', 'edge-b'].every(
        (m) => kubectl('hub', ['get', 'es', m, '-o', 'jsonpath={.status.health}']).stdout === 'Healthy',
      ),
    { timeoutMs: 60_000 },
  );
});

afterAll(async () => {
  for (const r of recorders) r.stop();
  await restoreTestbed().catch(() => undefined);
  kubectl('hub', ['-n', NS, 'delete', 'pgw', '-l', 'paygrid.io/suite=failover', '--timeout=60s']);
  await Promise.all(started.map((p) => p.stop('SIGTERM')));
  chartIdentity.uninstall();
});

interface Run {
  name: string;
  rec: ObjectRecorder<PaymentGateway>;
  t0: number;
  uid: string;
  opts: TestGatewayOptions;
}

/** Applies a test gateway, records it, and waits until it serves from edge-a. */
async function startGateway(name: string, opts: TestGatewayOptions = {}): Promise<Run> {
  kubectl('hub', ['-n', NS, 'delete', 'pgw', name, '--ignore-not-found', '--timeout=60s']);
  const rec = await recordGateway(name);
  recorders.push(rec as ObjectRecorder<never>);
  const t0 = Date.now();
  applyYaml('hub', testGatewayYaml(name, opts));
  kubectl('hub', ['-n', NS, 'label', 'pgw', name, 'paygrid.io/suite=failover', '--overwrite']);
  const ready = await rec.waitFor(
    `${name} Ready on edge-a`,
    (g) => isReady(g) && g.status?.serving === 'edge-a',
    {
      timeoutMs: 60_000,
    },
  );
  return { name, rec, t0, uid: ready.object.metadata?.uid ?? '', opts };
}

async function deleteGateway(run: Run): Promise<void> {
  run.rec.stop();
  expect(kubectl('hub', ['-n', NS, 'delete', 'pgw', run.name, '--timeout=60s']).code).toBe(0);
  for (const m of ['edge-a', 'edge-b', 'cloud-eu'] as const)
    expect(memberDeployments(m, run.name)).toEqual([]);
}

/** Asserts the invariants on everything recorded, printing the run's timeline either way. */
function checkRun(run: Run, label: string): void {
  console.log(`${label}\n${timeline(run.rec, run.t0)}`);
  expect(placementViolations(run.rec, run.opts.sites ?? 1)).toEqual([]);
}

async function waitForEvents(run: Run, reasons: string[], timeoutMs = 20_000) {
  return waitFor(
    `Events ${reasons.join(', ')} on ${run.name}`,
    () => {
      const evs = gatewayEvents(run.name, run.uid);
      return reasons.every((r) => evs.some((e) => e.reason === r)) && evs;
    },
    { timeoutMs },
  );
}

const EDGE_NODES = (m: 'edge-a' | 'edge-b') => [1, 2, 3].map((i) => `${m}-node-${i}`);
/** Cordons (or uncordons) every node of a member cluster, directly: new pods stay Pending there. */
function cordonNodes(m: 'edge-a' | 'edge-b', on: boolean): void {
  const r = kubectl(m, [on ? 'cordon' : 'uncordon', ...EDGE_NODES(m)]);
  if (r.code !== 0) throw new Error(`${on ? 'cordon' : 'uncordon'} ${m} nodes: ${r.stderr}`);
}

/** Final state after a failback or recovery: authorization Active on edge-a only, Ready. */
const homeAgain = (g: PaymentGateway) => {
  const ps = authPlacements(g);
  return ps.length === 1 && ps[0]!.member === 'edge-a' && ps[0]!.state === 'Active' && isReady(g);
};

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('failover and failback under real faults', () => {
  test('crash edge-a: edge-b serves; edge-a back: failback after the window, routes never empty but for the bounded gap', async () => {
    const run = await startGateway('fo-crash');
    const { rec } = run;
    const site = await recordEdgeSite('edge-a');
    recorders.push(site as ObjectRecorder<never>);
    const readyEpoch = rec.latest()!.status!.epoch!;
    try {
      // Crash: the whole cluster stops.
      const faultAt = Date.now();
      crash('edge-a');
      const unreachable = await site.waitFor(
        'edge-a Unreachable',
        (s) => s.status?.health === 'Unreachable',
        {
          from: faultAt,
          timeoutMs: 30_000,
        },
      );
      const serving = await rec.waitFor('edge-b serving', (g) => routeMembers(g).includes('edge-b'), {
        from: faultAt,
        timeoutMs: 60_000,
      });
      const failedOver = serving.object;
      expect(placementOn(failedOver, 'edge-a')).toMatchObject({ state: 'Lost', reason: 'MemberUnreachable' });
      expect(placementOn(failedOver, 'edge-b')).toMatchObject({
        state: 'FailoverTarget',
        replacedMember: 'edge-a',
      });
      expect(routeMembers(failedOver)).toEqual(['edge-b']);
      expect(failedOver.status!.epoch!).toBeGreaterThan(readyEpoch);
      const settled = await rec.waitFor(
        'FailedOver condition',
        (g) => cond(g, 'FailedOver')?.reason === 'FailedOver',
      );
      expect(cond(settled.object, 'FailedOver')?.status).toBe('True');
      expect(cond(settled.object, 'Degraded')?.status).toBe('True');
      const evs = await waitForEvents(run, ['SiteUnreachable', 'FailoverStarted', 'FailoverCompleted']);
      expect(evs.find((e) => e.reason === 'FailoverStarted')?.note).toContain('edge-b');

      // The only period without a route: from the site's loss to the replacement serving.
      const gaps = routeGaps(rec);
      expect(gaps).toHaveLength(1);
      const gap = gaps[0]!;
      const window = run.opts.detectionWindowSeconds ?? 3;
      console.log(
        `crash: fault → Unreachable ${secs(unreachable.at - faultAt)}, fault → edge-b serving ${secs(serving.at - faultAt)}, ` +
          `routes empty for ${secs(gap.to! - gap.from)} (bound ${window + 15} s)`,
      );
      expect(gap.from).toBeGreaterThanOrEqual(faultAt);
      expect(gap.to! - gap.from).toBeLessThan((window + 15) * 1000);
      expect(serving.at - faultAt).toBeLessThan((PROBE_DETECTION_S + window + 15) * 1000);

      // Restore: edge-a comes back; its stale workload is fenced and drained
      // (edge-b serves), and after the stabilization window authorization moves back.
      const restoreAt = Date.now();
      restoreMember('edge-a');
      const healthy = await site.waitFor('edge-a Healthy', (s) => s.status?.health === 'Healthy', {
        from: restoreAt,
        timeoutMs: 60_000,
      });
      const back = await rec.waitFor(
        'failback complete: edge-a alone',
        (g) => {
          const ps = authPlacements(g);
          return ps.length === 1 && ps[0]!.member === 'edge-a' && ps[0]!.state === 'Active' && isReady(g);
        },
        { from: restoreAt, timeoutMs: 150_000 },
      );
      const healthySince = Date.parse(healthy.object.status!.healthSince!);
      const stabilization = (run.opts.failbackStabilizationSeconds ?? 10) * 1000;
      const failbackStarted = rec.first(
        (g) => placementOn(g, 'edge-a')?.state === 'Active' && placementOn(g, 'edge-b') !== undefined,
        restoreAt,
      )!;
      console.log(
        `crash: restore → edge-a Healthy ${secs(healthy.at - restoreAt)}, failback started ${secs(failbackStarted.at - healthySince)} ` +
          `after Healthy (window ${stabilization / 1000} s), done ${secs(back.at - restoreAt)} after restore`,
      );
      // healthSince is at second precision.
      expect(failbackStarted.at).toBeGreaterThanOrEqual(healthySince + stabilization - 1000);
      // Make-before-break: edge-b drains only after edge-a serves again.
      const bDraining = rec.first((g) => placementOn(g, 'edge-b')?.state === 'Draining', restoreAt)!;
      expect(routeMembers(bDraining.object)).toContain('edge-a');
      expect(back.object.status!.routes!.map((r) => r.member)).toEqual(['edge-a']);
      await waitFor('edge-b drained', () => memberDeployments('edge-b', run.name).length === 0);
      await waitForEvents(run, ['FailbackStarted', 'FailbackCompleted']);
      expect(cond(back.object, 'FailedOver')?.status).toBe('False');
      expect(routeGaps(rec)).toHaveLength(1); // none during the failback
      // Epoch: strictly increasing over the run.
      const epochs = [...new Set(rec.snapshots.map((s) => s.object.status?.epoch ?? 0))];
      expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
      expect(back.object.status!.epoch!).toBeGreaterThan(failedOver.status!.epoch!);
    } finally {
      site.stop();
      checkRun(run, 'crash edge-a timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('partition edge-a: same failover; nothing on edge-a deleted while cut off; on heal it is fenced by epoch, then drained', async () => {
    const run = await startGateway('fo-part');
    const { rec } = run;
    const before = memberAuthDeployment('edge-a', run.name)!;
    const readyEpoch = rec.latest()!.status!.epoch!;
    expect(memberConfigEpoch('edge-a', run.name)).toBe(readyEpoch);
    const cm = await recordMemberConfigMap('edge-a', run.name);
    const deploy = await recordMemberDeployment('edge-a', run.name);
    recorders.push(cm as ObjectRecorder<never>, deploy as ObjectRecorder<never>);
    // Sampled directly on edge-a (its own context bypasses the fault proxy) for as long as it is cut off.
    const sampled: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const d = memberAuthDeployment('edge-a', run.name);
        sampled.push(d ? `${d.uid === before.uid ? 'same' : 'NEW'}:${d.available}` : 'GONE');
        await sleep(250);
      }
    })();
    try {
      const faultAt = Date.now();
      await partition('edge-a');
      const serving = await rec.waitFor('edge-b serving', (g) => routeMembers(g).includes('edge-b'), {
        from: faultAt,
        timeoutMs: 60_000,
      });
      expect(placementOn(serving.object, 'edge-a')).toMatchObject({
        state: 'Lost',
        reason: 'MemberUnreachable',
      });
      expect(placementOn(serving.object, 'edge-b')).toMatchObject({
        state: 'FailoverTarget',
        replacedMember: 'edge-a',
      });
      const failoverEpoch = serving.object.status!.epoch!;
      expect(failoverEpoch).toBeGreaterThan(readyEpoch);
      const gap = routeGaps(rec)[0]!;
      const window = run.opts.detectionWindowSeconds ?? 3;
      console.log(
        `partition: fault → edge-b serving ${secs(serving.at - faultAt)}, routes empty for ${secs(gap.to! - gap.from)}`,
      );
      expect(gap.to! - gap.from).toBeLessThan((window + 15) * 1000);
      // Stay cut off past the stabilization window: still nothing may touch edge-a.
      await sleep(((run.opts.failbackStabilizationSeconds ?? 10) + 2) * 1000);
      sampling = false;
      await sampler;
      expect(sampled.length).toBeGreaterThan(20);
      // It kept running (it may be authorizing in stand-in mode), untouched, with the old epoch.
      expect(sampled.filter((x) => x !== 'same:1')).toEqual([]);
      expect(memberConfigEpoch('edge-a', run.name)).toBe(readyEpoch);
      expect(deploy.deletions).toEqual([]);
      expect(
        authPlacements(rec.latest())
          .map((p) => `${p.member}:${p.state}`)
          .sort(),
      ).toEqual(['edge-a:Lost', 'edge-b:FailoverTarget']);

      const healAt = Date.now();
      await heal('edge-a');
      // Fenced first: the ConfigMap gets the new epoch before the Deployment goes.
      const fenced = await cm.waitFor(
        'edge-a ConfigMap fenced',
        (c) => Number(c.data?.epoch) > failoverEpoch,
        { from: healAt, timeoutMs: 30_000 },
      );
      await waitFor('edge-a Deployment drained', () => deploy.deletions.length > 0, { timeoutMs: 30_000 });
      const drainedAt = deploy.deletions[0]!;
      // (The gateway's status is written at the end of the pass that fenced and drained.)
      const draining = await rec.waitFor(
        'edge-a Draining',
        (g) => placementOn(g, 'edge-a')?.state === 'Draining',
        {
          from: healAt,
        },
      );
      console.log(
        `partition: heal → fenced (epoch ${fenced.object.data?.epoch}, role ${fenced.object.data?.role}) ${secs(fenced.at - healAt)}, ` +
          `→ Deployment deleted ${secs(drainedAt - healAt)}`,
      );
      expect(fenced.at).toBeLessThanOrEqual(drainedAt);
      expect(Number(fenced.object.data?.epoch)).toBe(draining.object.status!.epoch);
      // … and drained only while the replacement serves.
      expect(routeMembers(draining.object)).toEqual(['edge-b']);
      await waitForEvents(run, [
        'SiteUnreachable',
        'FailoverStarted',
        'FailoverCompleted',
        'PlacementFenced',
      ]);
      // Then the failback, after the window, make-before-break.
      const back = await rec.waitFor(
        'failback complete: edge-a alone',
        (g) => {
          const ps = authPlacements(g);
          return ps.length === 1 && ps[0]!.member === 'edge-a' && ps[0]!.state === 'Active' && isReady(g);
        },
        { from: healAt, timeoutMs: 90_000 },
      );
      const bDraining = rec.first((g) => placementOn(g, 'edge-b')?.state === 'Draining', healAt)!;
      expect(routeMembers(bDraining.object)).toContain('edge-a');
      console.log(`partition: heal → failback complete ${secs(back.at - healAt)}`);
      await waitForEvents(run, ['FailbackStarted', 'FailbackCompleted']);
      expect(routeGaps(rec)).toHaveLength(1);
      await waitFor('edge-b drained', () => memberDeployments('edge-b', run.name).length === 0);
    } finally {
      sampling = false;
      cm.stop();
      deploy.stop();
      checkRun(run, 'partition edge-a timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('flapping edge-a: no failback until it has been stable for the whole window', async () => {
    const stabilization = 12;
    const run = await startGateway('fo-flap', { failbackStabilizationSeconds: stabilization });
    const { rec } = run;
    const site = await recordEdgeSite('edge-a');
    recorders.push(site as ObjectRecorder<never>);
    try {
      const faultAt = Date.now();
      await partition('edge-a');
      await rec.waitFor('edge-b serving', (g) => routeMembers(g).includes('edge-b'), { from: faultAt });
      // Up for 5 s (Healthy after 2 probes), down for 7 s (Unreachable after 3), three times:
      // each healthy stretch is shorter than the 12 s window.
      for (let i = 0; i < 3; i++) {
        const up = Date.now();
        await heal('edge-a');
        await site.waitFor('edge-a Healthy', (e) => e.status?.health === 'Healthy', {
          from: up,
          timeoutMs: 15_000,
        });
        await sleep(3_000);
        const down = Date.now();
        await partition('edge-a');
        await site.waitFor('edge-a Unreachable', (e) => e.status?.health === 'Unreachable', {
          from: down,
          timeoutMs: 15_000,
        });
      }
      const flapEnd = Date.now();
      expect(rec.first((g) => placementOn(g, 'edge-a')?.state === 'Active', faultAt)).toBeUndefined();
      const stableFrom = Date.now();
      await heal('edge-a');
      const healthy = await site.waitFor('edge-a Healthy', (e) => e.status?.health === 'Healthy', {
        from: stableFrom,
        timeoutMs: 15_000,
      });
      const back = await rec.waitFor('failback', homeAgain, { from: stableFrom, timeoutMs: 60_000 });
      const started = rec.first((g) => placementOn(g, 'edge-a')?.state === 'Active', faultAt)!;
      const healthySince = Date.parse(healthy.object.status!.healthSince!);
      console.log(
        `flapping: ${secs(flapEnd - faultAt)} of flapping, no failback; stable from ${secs(healthySince - stableFrom)} after the last heal, ` +
          `failback started ${secs(started.at - healthySince)} later (window ${stabilization} s), done ${secs(back.at - stableFrom)}`,
      );
      expect(started.at).toBeGreaterThanOrEqual(stableFrom);
      expect(started.at).toBeGreaterThanOrEqual(healthySince + (stabilization - 1) * 1000);
      expect(routeGaps(rec)).toHaveLength(1);
      const evs = gatewayEvents(run.name, run.uid);
      expect(evs.filter((e) => e.reason === 'FailoverStarted').reduce((n, e) => n + e.count, 0)).toBe(1);
    } finally {
      site.stop();
      checkRun(run, 'flapping edge-a timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('both edges down: cloud fallback when allowed; Degraded NoFailoverTarget, saying what to change, when not', async () => {
    const cloud = await startGateway('fo-cloud', { fallback: ['SameRegionEdge', 'AnyEdge', 'Cloud'] });
    const edgeOnly = await startGateway('fo-nocloud');
    try {
      const faultAt = Date.now();
      await Promise.all([partition('edge-a'), partition('edge-b')]);
      const onCloud = await cloud.rec.waitFor(
        'fo-cloud serving from cloud-eu',
        (g) => routeMembers(g).join() === 'cloud-eu' && cond(g, 'FailedOver')?.reason === 'FailedOver',
        { from: faultAt, timeoutMs: 60_000 },
      );
      expect(placementOn(onCloud.object, 'cloud-eu')).toMatchObject({
        memberKind: 'CloudCluster',
        state: 'FailoverTarget',
        replacedMember: 'edge-a',
      });
      expect(placementOn(onCloud.object, 'edge-a')?.state).toBe('Lost');
      expect(onCloud.object.status!.routes![0]!.endpoint).toBe('https://ledger.eu-west.pay.example.com');
      expect(memberDeployments('cloud-eu', 'fo-cloud').map((d) => d.name)).toContain(
        'fo-cloud-authorization',
      );

      const stuck = await edgeOnly.rec.waitFor(
        'fo-nocloud Degraded NoFailoverTarget',
        (g) => cond(g, 'Degraded')?.reason === 'NoFailoverTarget',
        { from: faultAt, timeoutMs: 60_000 },
      );
      const degraded = cond(stuck.object, 'Degraded')!;
      console.log(
        `both edges down: fo-cloud on cloud-eu ${secs(onCloud.at - faultAt)} after the fault; fo-nocloud: ${degraded.message}`,
      );
      expect(degraded.status).toBe('True');
      expect(degraded.message).toContain('add Cloud to spec.failover.fallback');
      expect(cond(stuck.object, 'Ready')?.status).toBe('False');
      expect(cond(stuck.object, 'FailedOver')).toMatchObject({ status: 'False', reason: 'NoFailoverTarget' });
      expect(authPlacements(stuck.object).map((p) => `${p.member}:${p.state}`)).toEqual(['edge-a:Lost']);
      await waitForEvents(edgeOnly, ['NoFailoverTarget']);
      await waitForEvents(cloud, ['FailoverStarted', 'FailoverCompleted']);

      // Edges back: the gateway with no target serves from edge-a again; the other fails back from the cloud.
      const healAt = Date.now();
      await Promise.all([heal('edge-a'), heal('edge-b')]);
      await edgeOnly.rec.waitFor('fo-nocloud back on edge-a', homeAgain, { from: healAt, timeoutMs: 60_000 });
      await cloud.rec.waitFor('fo-cloud failed back to edge-a', homeAgain, {
        from: healAt,
        timeoutMs: 90_000,
      });
      expect(routeGaps(cloud.rec)).toHaveLength(1);
      await waitFor('cloud-eu authorization drained', () =>
        memberDeployments('cloud-eu', 'fo-cloud').every((d) => d.name !== 'fo-cloud-authorization'),
      );
    } finally {
      checkRun(cloud, 'both edges down, Cloud allowed');
      checkRun(edgeOnly, 'both edges down, edges only');
    }
    await deleteGateway(cloud);
    await deleteGateway(edgeOnly);
  }, 300_000);

  test('authorization unavailable on edge-a while its apiserver answers: failover by the transaction-path signal', async () => {
    const run = await startGateway('fo-workload');
    const { rec } = run;
    try {
      // No node on edge-a takes pods any more, and its running pod goes: the Deployment has
      // no available replica, while the apiserver (and so the probes) stay fine.
      cordonNodes('edge-a', true);
      const faultAt = Date.now();
      expect(
        kubectl('edge-a', [
          '-n',
          NS,
          'delete',
          'pods',
          '-l',
          `app.kubernetes.io/instance=${run.name}`,
          '--wait=false',
        ]).code,
      ).toBe(0);
      await waitFor(
        'edge-a authorization unavailable',
        () => memberAuthDeployment('edge-a', run.name)?.available === 0,
      );
      const unavailableAt = Date.now();
      const serving = await rec.waitFor('edge-b serving', (g) => routeMembers(g).includes('edge-b'), {
        from: faultAt,
        timeoutMs: 60_000,
      });
      const window = run.opts.detectionWindowSeconds ?? 3;
      console.log(
        `workload: pods gone → unavailable seen ${secs(unavailableAt - faultAt)}, → edge-b serving ${secs(serving.at - faultAt)} (window ${window} s)`,
      );
      const lost = rec.first((g) => placementOn(g, 'edge-a')?.state === 'Lost', faultAt)!;
      expect(placementOn(lost.object, 'edge-a')?.reason).toBe('WorkloadUnavailable');
      expect(kubectl('hub', ['get', 'es', 'edge-a', '-o', 'jsonpath={.status.health}']).stdout).toBe(
        'Healthy',
      );
      expect(serving.at - faultAt).toBeGreaterThanOrEqual(window * 1000);
      expect(serving.at - faultAt).toBeLessThan((window + 15) * 1000);
      await waitForEvents(run, ['WorkloadUnavailable', 'FailoverStarted', 'FailoverCompleted']);
      const gaps = routeGaps(rec);
      expect(gaps).toHaveLength(1);
      // The site is repaired: authorization fails back after the window.
      const fixedAt = Date.now();
      cordonNodes('edge-a', false);
      await rec.waitFor('failback to edge-a', homeAgain, { from: fixedAt, timeoutMs: 90_000 });
      expect(routeGaps(rec)).toHaveLength(1);
    } finally {
      cordonNodes('edge-a', false);
      checkRun(run, 'broken workload on edge-a timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('operator SIGKILLed mid-failover and mid-failback: a new one finishes, nothing duplicated or lost', async () => {
    const run = await startGateway('fo-kill');
    const { rec } = run;
    try {
      // edge-b's pods stay Pending, so the failover is caught between FailoverStarted and serving.
      cordonNodes('edge-b', true);
      const faultAt = Date.now();
      await partition('edge-a');
      const pending = await rec.waitFor(
        'FailoverStarted (edge-b pending)',
        (g) => placementOn(g, 'edge-b')?.reason === 'FailoverPending',
        { from: faultAt, timeoutMs: 60_000 },
      );
      await operator.stop('SIGKILL');
      const killedAt = Date.now();
      console.log(
        `kill: operator SIGKILLed ${secs(killedAt - pending.at)} after FailoverStarted was written`,
      );
      cordonNodes('edge-b', false);
      operator = await startOperator('failover-2');
      const served = await rec.waitFor(
        'edge-b serving after restart',
        (g) => routeMembers(g).includes('edge-b'),
        {
          from: killedAt,
          timeoutMs: 60_000,
        },
      );
      expect(placementOn(served.object, 'edge-b')).toMatchObject({
        state: 'FailoverTarget',
        replacedMember: 'edge-a',
      });
      console.log(`kill: new operator → edge-b serving ${secs(served.at - killedAt)} after the kill`);
      await waitForEvents(run, ['FailoverCompleted']);

      // Failback caught between FailbackStarted and edge-a serving.
      cordonNodes('edge-a', true);
      const healAt = Date.now();
      await heal('edge-a');
      const failingBack = await rec.waitFor(
        'FailbackStarted (edge-a pending)',
        (g) =>
          placementOn(g, 'edge-a')?.state === 'Active' &&
          placementOn(g, 'edge-b')?.state === 'FailoverTarget',
        { from: healAt, timeoutMs: 60_000 },
      );
      await operator.stop('SIGKILL');
      const killed2 = Date.now();
      console.log(
        `kill: operator SIGKILLed ${secs(killed2 - failingBack.at)} after FailbackStarted was written`,
      );
      cordonNodes('edge-a', false);
      operator = await startOperator('failover-3');
      const back = await rec.waitFor('failback finished after restart', homeAgain, {
        from: killed2,
        timeoutMs: 90_000,
      });
      console.log(`kill: new operator → failback done ${secs(back.at - killed2)} after the kill`);
      await waitForEvents(run, ['FailbackCompleted']);
      expect(routeGaps(rec)).toHaveLength(1);
      await waitFor('edge-b drained', () => memberDeployments('edge-b', run.name).length === 0);
      // One failover, one failback: no second target, no second decision. (An Event is recorded
      // after the status write that makes the decision; killed in between, it is lost, never doubled.)
      const evs = gatewayEvents(run.name, run.uid);
      const count = (r: string) => evs.filter((e) => e.reason === r).reduce((n, e) => n + e.count, 0);
      expect(count('FailoverStarted')).toBeLessThanOrEqual(1);
      expect(count('FailbackStarted')).toBeLessThanOrEqual(1);
      expect(
        rec.snapshots.filter(
          (x, i, all) => i > 0 && authPlacements(x.object).length > authPlacements(all[i - 1]!.object).length,
        ),
      ).toHaveLength(3); // placed, failover target added, failback placement added
    } finally {
      cordonNodes('edge-a', false);
      cordonNodes('edge-b', false);
      checkRun(run, 'operator killed mid-failover and mid-failback timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('manual mode: nothing moves by itself; an explicit move goes make-before-break', async () => {
    const run = await startGateway('fo-manual', { mode: 'Manual' });
    const { rec } = run;
    try {
      const faultAt = Date.now();
      await partition('edge-a');
      const lost = await rec.waitFor(
        'ManualFailoverRequired',
        (g) => cond(g, 'Degraded')?.reason === 'ManualFailoverRequired',
        { from: faultAt, timeoutMs: 60_000 },
      );
      expect(cond(lost.object, 'Degraded')?.message).toContain('kubectl paygrid move');
      expect(cond(lost.object, 'FailedOver')?.reason).toBe('ManualFailoverRequired');
      await sleep(((run.opts.detectionWindowSeconds ?? 3) + 8) * 1000);
      expect(authPlacements(rec.latest()).map((p) => `${p.member}:${p.state}`)).toEqual(['edge-a:Lost']);
      expect(memberDeployments('edge-b', run.name)).toEqual([]);

      const moveAt = Date.now();
      const request = {
        from: 'edge-a',
        to: 'edge-b',
        requestedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        id: 'e2e-move-1',
      };
      expect(
        kubectl('hub', [
          '-n',
          NS,
          'annotate',
          'pgw',
          run.name,
          `paygrid.io/move-request=${JSON.stringify(request)}`,
        ]).code,
      ).toBe(0);
      const moved = await rec.waitFor(
        'edge-b serving after the move',
        (g) => routeMembers(g).includes('edge-b'),
        {
          from: moveAt,
          timeoutMs: 30_000,
        },
      );
      expect(placementOn(moved.object, 'edge-b')?.state).toBe('FailoverTarget');
      console.log(`manual: move request → edge-b serving ${secs(moved.at - moveAt)}`);
      await waitFor('annotation consumed', () =>
        kubectl('hub', [
          '-n',
          NS,
          'get',
          'pgw',
          run.name,
          '-o',
          'jsonpath={.metadata.annotations}',
        ]).stdout.includes('move-request')
          ? false
          : true,
      );
      await waitForEvents(run, ['MoveStarted']);
      // Healing does not move it back by itself either: edge-a is fenced and drained.
      const healAt = Date.now();
      await heal('edge-a');
      await rec.waitFor('edge-a drained', (g) => placementOn(g, 'edge-a') === undefined, { from: healAt });
      await sleep(((run.opts.failbackStabilizationSeconds ?? 10) + 4) * 1000);
      expect(authPlacements(rec.latest()).map((p) => `${p.member}:${p.state}`)).toEqual([
        'edge-b:FailoverTarget',
      ]);
      // … until an SRE moves it back, make-before-break.
      const backAt = Date.now();
      const back = {
        ...request,
        from: 'edge-b',
        to: 'edge-a',
        requestedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        id: 'e2e-move-2',
      };
      kubectl('hub', [
        '-n',
        NS,
        'annotate',
        'pgw',
        run.name,
        '--overwrite',
        `paygrid.io/move-request=${JSON.stringify(back)}`,
      ]);
      await rec.waitFor('moved back to edge-a', homeAgain, { from: backAt, timeoutMs: 60_000 });
      const bDraining = rec.first((g) => placementOn(g, 'edge-b')?.state === 'Draining', backAt)!;
      expect(routeMembers(bDraining.object)).toContain('edge-a');
      expect(routeGaps(rec)).toHaveLength(1);
    } finally {
      checkRun(run, 'manual mode timeline');
    }
    await deleteGateway(run);
  }, 300_000);

  test('cordon edge-a drains it make-before-break; uncordon brings authorization back the same way', async () => {
    const run = await startGateway('fo-cordon');
    const { rec } = run;
    try {
      const cordonAt = Date.now();
      expect(
        kubectl('hub', ['patch', 'es', 'edge-a', '--type', 'merge', '-p', '{"spec":{"cordoned":true}}']).code,
      ).toBe(0);
      const moved = await rec.waitFor(
        'edge-b serving, edge-a drained',
        (g) => routeMembers(g).join() === 'edge-b' && placementOn(g, 'edge-a') === undefined,
        { from: cordonAt, timeoutMs: 60_000 },
      );
      console.log(`cordon: drained to edge-b in ${secs(moved.at - cordonAt)}`);
      const aDraining = rec.first((g) => placementOn(g, 'edge-a')?.state === 'Draining', cordonAt)!;
      expect(routeMembers(aDraining.object)).toContain('edge-b');
      expect(routeGaps(rec)).toEqual([]);
      await sleep(((run.opts.failbackStabilizationSeconds ?? 10) + 2) * 1000);
      expect(placementOn(rec.latest(), 'edge-a')).toBeUndefined();
      const uncordonAt = Date.now();
      kubectl('hub', ['patch', 'es', 'edge-a', '--type', 'merge', '-p', '{"spec":{"cordoned":false}}']);
      const back = await rec.waitFor('back on edge-a', homeAgain, { from: uncordonAt, timeoutMs: 60_000 });
      console.log(`cordon: uncordon → back on edge-a in ${secs(back.at - uncordonAt)}`);
      const bDraining = rec.first((g) => placementOn(g, 'edge-b')?.state === 'Draining', uncordonAt)!;
      expect(routeMembers(bDraining.object)).toContain('edge-a');
      expect(routeGaps(rec)).toEqual([]);
    } finally {
      kubectl('hub', ['patch', 'es', 'edge-a', '--type', 'merge', '-p', '{"spec":{"cordoned":false}}']);
      checkRun(run, 'cordon timeline');
    }
    await deleteGateway(run);
  }, 300_000);
});

test('no operator in this suite was refused a call under the chart permissions', () => {
  const denied = started.flatMap((p) => p.refusedCalls());
  expect(denied).toEqual([]);
});

import type { PaymentGateway } from '../api/index.js';
import type { MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { servingRoutes } from './routes.js';
import {
  applyPlan,
  at,
  authView,
  cloud,
  edge,
  gateway,
  pass,
  signals,
  type WorkloadState,
} from './testSupport.js';
import type { GatewayPlan } from './types.js';

const clouds = [cloud('cloud-a')];
const healthy = (name: string, extra: Partial<MemberView> = {}) =>
  edge(name, { zone: `zone-${name}`, healthSince: at(-3600), ...extra });
const down = (name: string, since: number, extra: Partial<MemberView> = {}) =>
  healthy(name, { health: 'Unreachable', healthSince: at(since), ready: false, ...extra });
const back = (name: string, health: MemberView['health'], since: number) =>
  healthy(name, { health, healthSince: at(since), ready: health === 'Healthy' });

function reasons(plan: GatewayPlan): string[] {
  return plan.events.map((e) => e.reason);
}
function routes(
  plan: GatewayPlan,
  members: readonly MemberView[],
  states: Record<string, WorkloadState>,
): string[] {
  return servingRoutes(plan.placements, members, signals(states)).map((r) => r.member);
}

/** The gateway with its first plan written to status. */
function placed(gw: PaymentGateway, members: readonly MemberView[]): PaymentGateway {
  return applyPlan(gw, planGateway({ gateway: gw, members, workloads: [], now: at(-600) }));
}

/** A gateway serving from edge-a and edge-b (both available), epoch 1. */
function serving(gw: PaymentGateway, members: readonly MemberView[]): PaymentGateway {
  const first = planGateway({ gateway: gw, members, workloads: [], now: at(-600) });
  expect(authView(first.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
  return applyPlan(gw, first);
}

describe('planGateway: failover when a site becomes unreachable, then failback', () => {
  const gw0 = gateway({ failover: { failbackStabilizationSeconds: 60 } });
  const all = [
    healthy('edge-a'),
    healthy('edge-b'),
    healthy('edge-c'),
    healthy('edge-d', { region: 'us-east' }),
    ...clouds,
  ];

  it('goes through the whole cycle make-before-break, with one epoch per change and each Event once', () => {
    let gw = serving(gw0, all);
    // 1. edge-a dies: Lost, edge-c (same region) stands in; the lost site leaves the routes at once.
    let members = [down('edge-a', 0), ...all.slice(1)];
    let r = pass(gw, members, { 'edge-a': 'unobserved', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Lost',
    ]);
    expect(r.plan.epoch).toBe(2);
    expect(reasons(r.plan)).toEqual(['FailoverStarted', 'SiteUnreachable']);
    expect(r.plan.failovers).toEqual([{ from: 'edge-a', to: 'edge-c', reason: 'SiteUnreachable' }]);
    const target = r.plan.placements.find((p) => p.member === 'edge-c');
    expect(target?.reason).toBe('FailoverPending');
    expect(target?.message).toMatch(/SameRegionEdge/);
    expect(r.plan.failedOver).toMatchObject({ status: true, reason: 'FailoverInProgress' });
    expect(routes(r.plan, members, { 'edge-a': 'unobserved', 'edge-b': 'up', 'edge-c': 'down' })).toEqual([
      'edge-b',
    ]);
    gw = r.gateway;

    // 2. edge-c serves: FailoverCompleted, recorded once; no new epoch (same placements).
    r = pass(gw, members, { 'edge-a': 'unobserved', 'edge-b': 'up', 'edge-c': 'up' }, 4);
    const stoodIn = r.plan.placements.find((p) => p.member === 'edge-c');
    expect(stoodIn?.reason).toBe('FailoverServing');
    // The step's time is recorded (the console's timeline reads it), and the target's since is kept.
    expect(Date.parse(stoodIn?.servingSince ?? '') - Date.parse(stoodIn?.since ?? '')).toBe(3000);
    expect(reasons(r.plan)).toEqual(['FailoverCompleted']);
    expect(r.plan.failoversCompleted).toEqual([{ from: 'edge-a', to: 'edge-c', seconds: 3 }]);
    expect(r.plan.epoch).toBe(2);
    expect(r.plan.failedOver).toMatchObject({ status: true, reason: 'FailedOver' });
    expect(routes(r.plan, members, { 'edge-b': 'up', 'edge-c': 'up' })).toEqual(['edge-b', 'edge-c']);
    gw = r.gateway;
    expect(reasons(pass(gw, members, { 'edge-b': 'up', 'edge-c': 'up' }, 5).plan)).toEqual([]);

    // 3. edge-a answers again (Recovering): fenced, and drained at once since edge-c serves.
    members = [back('edge-a', 'Recovering', 30), ...all.slice(1)];
    r = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 30);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Draining',
    ]);
    expect(r.plan.placements.find((p) => p.member === 'edge-a')?.reason).toBe('Replaced');
    expect(reasons(r.plan)).toEqual(['PlacementFenced']);
    expect(r.plan.epoch).toBe(3);
    gw = r.gateway;

    // 4. its workloads are pruned: the Draining placement leaves the plan.
    members = [back('edge-a', 'Healthy', 34), ...all.slice(1)];
    r = pass(gw, members, { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' }, 35);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
    expect(r.plan.removed.map((x) => x.reason)).toEqual(['Drained']);
    expect(r.plan.epoch).toBe(4);
    // Failback waits for the stabilization window (60 s from 34 s): look again at 94 s.
    expect(r.plan.requeueAfterMs).toBe(59_000);
    gw = r.gateway;

    // 5. Healthy for 60 s: an Active placement returns to edge-a while edge-c keeps serving.
    r = pass(gw, members, { 'edge-b': 'up', 'edge-c': 'up' }, 94);
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
    expect(reasons(r.plan)).toEqual(['FailbackStarted']);
    expect(r.plan.failedOver).toMatchObject({ status: true, reason: 'FailbackInProgress' });
    expect(r.plan.epoch).toBe(5);
    gw = r.gateway;
    // Not yet available: edge-c stays.
    r = pass(gw, members, { 'edge-a': 'down', 'edge-b': 'up', 'edge-c': 'up' }, 96);
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
    expect(r.plan.epoch).toBe(5);
    gw = r.gateway;

    // 6. edge-a serves: edge-c drains.
    r = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 98);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Draining>edge-a']);
    expect(reasons(r.plan)).toEqual(['FailbackCompleted']);
    expect(r.plan.epoch).toBe(6);
    expect(r.plan.failedOver.status).toBe(false);
    gw = r.gateway;

    // 7. edge-c pruned.
    r = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'gone' }, 99);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.epoch).toBe(7);
    expect(r.plan.failedOver).toMatchObject({ status: false, reason: 'NoFailover' });
    expect(r.plan.problems).toEqual([]);
  });

  it('keeps a partitioned site fenced (Lost, out of the routes) until its replacement serves', () => {
    let gw = serving(gw0, all);
    let r = pass(gw, [down('edge-a', 0), ...all.slice(1)], { 'edge-b': 'up' }, 1);
    gw = r.gateway;
    const members = [back('edge-a', 'Recovering', 2), ...all.slice(1)];
    r = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'down' }, 2);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Lost',
    ]);
    expect(r.plan.placements.find((p) => p.member === 'edge-a')?.reason).toBe('Fenced');
    expect(reasons(r.plan)).toEqual(['PlacementFenced']);
    expect(routes(r.plan, members, { 'edge-a': 'up', 'edge-b': 'up' })).toEqual(['edge-b']);
    // Fenced once: the next pass records nothing.
    r = pass(r.gateway, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'down' }, 3);
    expect(reasons(r.plan)).toEqual([]);
    r = pass(r.gateway, members, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 4);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Draining',
    ]);
    expect(reasons(r.plan)).toEqual(['FailoverCompleted']);
  });

  it('does not fail back to a flapping site until it has been Healthy for the whole window', () => {
    let gw = serving(gw0, all);
    gw = pass(gw, [down('edge-a', 0), ...all.slice(1)], { 'edge-b': 'up' }, 1).gateway;
    gw = pass(
      gw,
      [back('edge-a', 'Recovering', 10), ...all.slice(1)],
      { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' },
      10,
    ).gateway;
    gw = pass(
      gw,
      [back('edge-a', 'Healthy', 12), ...all.slice(1)],
      { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' },
      12,
    ).gateway;
    // Healthy at 12, Suspect at 40, Healthy again at 41: the window starts over at 41.
    for (const [t, m] of [
      [50, back('edge-a', 'Healthy', 41)],
      [80, back('edge-a', 'Healthy', 41)],
      [100, back('edge-a', 'Healthy', 41)],
    ] as const) {
      const r = pass(gw, [m, ...all.slice(1)], { 'edge-b': 'up', 'edge-c': 'up' }, t);
      expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
      expect(r.plan.requeueAfterMs).toBe((101 - t) * 1000);
      gw = r.gateway;
    }
    const r = pass(
      gw,
      [back('edge-a', 'Healthy', 41), ...all.slice(1)],
      { 'edge-b': 'up', 'edge-c': 'up' },
      101,
    );
    expect(authView(r.plan.placements)).toContain('edge-a:Active');
  });

  it('measures the window from the failover too, so a workload failure is not failed back at once', () => {
    // edge-a stays Healthy (since long ago) while its workload breaks.
    let gw = serving(
      gateway({ failover: { failbackStabilizationSeconds: 60, detectionWindowSeconds: 6 } }),
      all,
    );
    gw = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up' }, 0).gateway;
    let r = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.placements[0]?.unavailableSince).toBe(at(1));
    expect(r.plan.requeueAfterMs).toBe(6000);
    gw = r.gateway;
    r = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 7);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Lost',
    ]);
    expect(reasons(r.plan)).toEqual(['FailoverStarted', 'WorkloadUnavailable']);
    expect(r.plan.failovers).toEqual([{ from: 'edge-a', to: 'edge-c', reason: 'WorkloadUnavailable' }]);
    gw = r.gateway;
    r = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up', 'edge-c': 'up' }, 9);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Draining',
    ]);
    gw = r.gateway;
    r = pass(gw, all, { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' }, 10);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
    expect(r.plan.requeueAfterMs).toBe(57_000);
    gw = r.gateway;
    r = pass(gw, all, { 'edge-b': 'up', 'edge-c': 'up' }, 67);
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
  });
});

describe('planGateway: transaction-path detection', () => {
  const all = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];

  it('counts from unavailableSince kept in status, so a restarted operator goes on counting', () => {
    let gw = serving(gateway({ failover: { detectionWindowSeconds: 10 } }), all);
    gw = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up' }, 0).gateway;
    gw = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 5).gateway;
    // No data for a while (member Suspect): the count neither stops nor restarts.
    gw = pass(gw, all, { 'edge-a': 'unobserved', 'edge-b': 'up' }, 8).gateway;
    expect(gw.status?.placements?.[0]?.unavailableSince).toBe(at(5));
    // A fresh planner (new process) at 15 s: 10 s since 5 s.
    const r = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 15);
    expect(authView(r.plan.placements)).toContain('edge-a:Lost');
  });

  it('forgets the count as soon as the workload is available again', () => {
    let gw = serving(gateway({ failover: { detectionWindowSeconds: 10 } }), all);
    gw = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up' }, 0).gateway;
    gw = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 5).gateway;
    gw = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up' }, 9).gateway;
    expect(gw.status?.placements?.[0]?.unavailableSince).toBeUndefined();
    const r = pass(gw, all, { 'edge-a': 'down', 'edge-b': 'up' }, 16);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
  });

  it('gives a placement that has never been available the rollout grace period', () => {
    const gw = gateway({ failover: { detectionWindowSeconds: 6 } });
    const first = planGateway({ gateway: gw, members: all, workloads: [], now: at(0) });
    expect(first.placements[0]?.unavailableSince).toBe(at(0));
    let g = applyPlan(gw, first);
    let r = pass(g, all, { 'edge-a': 'down', 'edge-b': 'up' }, 60);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.requeueAfterMs).toBe(60_000);
    g = r.gateway;
    r = pass(g, all, { 'edge-a': 'down', 'edge-b': 'up' }, 120);
    expect(authView(r.plan.placements)).toContain('edge-a:Lost');
  });

  it('replaces a FailoverTarget that never comes up, and keeps it as a Lost stand-in until drained', () => {
    let gw = serving(
      gateway({ authorization: { sites: 1 } }).spec ? gateway({ authorization: { sites: 2 } }) : gateway(),
      all,
    );
    gw = pass(gw, [down('edge-a', 0), ...all.slice(1)], { 'edge-b': 'up' }, 0).gateway;
    const members = [down('edge-a', 0), ...all.slice(1), healthy('edge-e')];
    let r = pass(gw, members, { 'edge-b': 'up', 'edge-c': 'down' }, 130);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-e:FailoverTarget>edge-a',
      'edge-a:Lost',
      'edge-c:Lost>edge-a',
    ]);
    expect(r.plan.failovers).toEqual([{ from: 'edge-c', to: 'edge-e', reason: 'WorkloadUnavailable' }]);
    r = pass(r.gateway, members, { 'edge-b': 'up', 'edge-c': 'down', 'edge-e': 'up' }, 132);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-e:FailoverTarget>edge-a',
      'edge-c:Draining>edge-a',
      'edge-a:Lost',
    ]);
  });
});

describe('planGateway: no failover target, Manual mode, fallback order', () => {
  it('reports NoFailoverTarget and says what to add, keeping the Lost placement', () => {
    const members = [healthy('edge-a'), healthy('edge-b'), ...clouds];
    let gw = serving(gateway(), members);
    const r = pass(gw, [down('edge-a', 0), healthy('edge-b'), ...clouds], { 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-a:Lost']);
    const problem = r.plan.problems.find((p) => p.reason === 'NoFailoverTarget');
    expect(problem?.severity).toBe('Error');
    expect(problem?.message).toMatch(/add Cloud to spec.failover.fallback/);
    expect(reasons(r.plan)).toEqual(['NoFailoverTarget', 'SiteUnreachable']);
    expect(r.plan.failedOver).toMatchObject({ status: false, reason: 'NoFailoverTarget' });
    gw = r.gateway;
    // Once the site is back (Healthy, Ready) it serves again, fenced by the epoch.
    const again = pass(
      gw,
      [back('edge-a', 'Healthy', 5), healthy('edge-b'), ...clouds],
      { 'edge-a': 'up', 'edge-b': 'up' },
      5,
    );
    expect(authView(again.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(reasons(again.plan)).toEqual(['PlacementRecovered']);
    expect(again.plan.epoch).toBe(r.plan.epoch + 1);
  });

  it('falls back to Cloud when allowed, and only after every edge tier', () => {
    const gw = gateway({
      authorization: { sites: 1 },
      failover: { fallback: ['SameRegionEdge', 'AnyEdge', 'Cloud'] },
    });
    const members = [
      healthy('edge-a'),
      down('edge-b', -100),
      healthy('edge-c', { cordoned: true }),
      ...clouds,
    ];
    const first = planGateway({ gateway: gw, members, workloads: [], now: at(0) });
    const r = pass(applyPlan(gw, first), [down('edge-a', 1), ...members.slice(1)], {}, 2);
    expect(authView(r.plan.placements)).toEqual(['cloud-a:FailoverTarget>edge-a', 'edge-a:Lost']);
    expect(r.plan.problems.map((p) => p.reason)).toContain('FallbackPlacement');
  });

  it('prefers a same-region edge site, then any edge, along spec.failover.fallback', () => {
    const members = [
      healthy('edge-a', { region: 'eu-west' }),
      healthy('edge-b', { region: 'us-east' }),
      healthy('edge-z', { region: 'eu-west' }),
      ...clouds,
    ];
    const gw = gateway({ authorization: { sites: 1 } });
    const first = applyPlan(gw, planGateway({ gateway: gw, members, workloads: [], now: at(0) }));
    const r = pass(first, [down('edge-a', 1), ...members.slice(1)], {}, 2);
    expect(authView(r.plan.placements)).toEqual(['edge-z:FailoverTarget>edge-a', 'edge-a:Lost']);
    const anyEdgeFirst = gateway({ authorization: { sites: 1 }, failover: { fallback: ['AnyEdge'] } });
    const r2 = pass(
      applyPlan(anyEdgeFirst, planGateway({ gateway: anyEdgeFirst, members, workloads: [], now: at(0) })),
      [down('edge-a', 1), ...members.slice(1)],
      {},
      2,
    );
    expect(authView(r2.plan.placements)).toEqual(['edge-b:FailoverTarget>edge-a', 'edge-a:Lost']);
  });

  it('moves nothing in Manual mode and says how to move by hand', () => {
    const members = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];
    const gw = serving(gateway({ failover: { mode: 'Manual' } }), members);
    const r = pass(gw, [down('edge-a', 0), ...members.slice(1)], { 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-a:Lost']);
    const problem = r.plan.problems.find((p) => p.reason === 'ManualFailoverRequired');
    expect(problem?.message).toMatch(
      /kubectl paygrid move payments\/checkout --from edge-a --to <site> \(eligible now: edge-c\)/,
    );
    expect(r.plan.failovers).toEqual([]);
    expect(r.plan.failedOver).toMatchObject({ status: false, reason: 'ManualFailoverRequired' });
    // A transaction-path failure is Lost too, and stays Lost while the workload is unavailable.
    const w = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'down' }, 0).gateway;
    const lost = pass(
      pass(w, members, { 'edge-a': 'up', 'edge-b': 'down' }, 100).gateway,
      members,
      { 'edge-a': 'up', 'edge-b': 'down' },
      101,
    );
    expect(authView(lost.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Lost']);
    // … and serves again when it is available again.
    const ok = pass(lost.gateway, members, { 'edge-a': 'up', 'edge-b': 'up' }, 102);
    expect(authView(ok.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
  });
});

describe('planGateway: cordon and uncordon, make-before-break', () => {
  const all = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];

  it('keeps a cordoned site serving until its replacement serves, with no Lost step', () => {
    let gw = serving(gateway(), all);
    const cordoned = [healthy('edge-a', { cordoned: true }), ...all.slice(1)];
    let r = pass(gw, cordoned, { 'edge-a': 'up', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
    expect(r.plan.placements[0]?.reason).toBe('Cordoned');
    expect(r.plan.failovers).toEqual([{ from: 'edge-a', to: 'edge-c', reason: 'Cordoned' }]);
    expect(r.plan.events.map((e) => [e.type, e.reason])).toEqual([['Normal', 'FailoverStarted']]);
    gw = r.gateway;
    r = pass(gw, cordoned, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 3);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Draining',
    ]);
    gw = pass(r.gateway, cordoned, { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' }, 4).gateway;
    expect(authView(gw.status?.placements ?? [])).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
    // Uncordoned: back once the stabilization window (60 s) has passed since the failover started.
    r = pass(gw, all, { 'edge-b': 'up', 'edge-c': 'up' }, 5);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
    expect(r.plan.requeueAfterMs).toBe(56_000);
    r = pass(gw, all, { 'edge-b': 'up', 'edge-c': 'up' }, 61);
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
    expect(reasons(r.plan)).toEqual(['FailbackStarted']);
  });

  it('drains a cordoned site in Manual mode too', () => {
    const gw = serving(gateway({ failover: { mode: 'Manual' } }), all);
    const r = pass(
      gw,
      [healthy('edge-a', { cordoned: true }), ...all.slice(1)],
      { 'edge-a': 'up', 'edge-b': 'up' },
      1,
    );
    expect(authView(r.plan.placements)).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
  });

  it('cancels a drain that has not completed when the site is uncordoned', () => {
    let gw = serving(gateway(), all);
    gw = pass(
      gw,
      [healthy('edge-a', { cordoned: true }), ...all.slice(1)],
      { 'edge-a': 'up', 'edge-b': 'up' },
      1,
    ).gateway;
    const r = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'down' }, 2);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Draining>edge-a']);
    expect(r.plan.placements[0]?.reason).toBe('Retained');
  });

  it('keeps a cordoned site serving when nothing can take over, and says so', () => {
    const members = [healthy('edge-a', { cordoned: true }), healthy('edge-b'), ...clouds];
    const gw = serving(gateway(), [healthy('edge-a'), healthy('edge-b'), ...clouds]);
    const r = pass(gw, members, { 'edge-a': 'up', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.problems.map((p) => p.reason)).toContain('NoFailoverTarget');
    expect(r.plan.epoch).toBe(gw.status?.epoch);
  });
});

describe('planGateway: paused, ledger and analytics, removed members', () => {
  it('changes nothing while spec.failover.paused is true', () => {
    const members = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];
    const gw = serving(gateway(), members);
    const paused = { ...gw, spec: { ...gw.spec, failover: { paused: true } } };
    const r = pass(paused, [down('edge-a', 0), ...members.slice(1)], { 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.epoch).toBe(gw.status?.epoch);
    expect(r.plan.events).toEqual([]);
    expect(r.plan.problems.map((p) => p.reason)).toContain('PlacementPaused');
  });

  it('plans the ledger with placeGateway', () => {
    const members = [healthy('edge-a'), healthy('edge-b'), ...clouds];
    const r = planGateway({ gateway: gateway(), members, workloads: [], now: at(0) });
    expect(r.placements.filter((p) => p.component === 'ledger').map((p) => `${p.member}:${p.state}`)).toEqual(
      ['cloud-a:Active'],
    );
  });

  it('promotes a FailoverTarget whose home was deleted', () => {
    const members = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];
    let gw = serving(gateway(), members);
    gw = pass(gw, [down('edge-a', 0), ...members.slice(1)], { 'edge-b': 'up' }, 1).gateway;
    const r = pass(gw, members.slice(1), { 'edge-b': 'up', 'edge-c': 'up' }, 2);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:Active']);
    expect(r.plan.placements.find((p) => p.member === 'edge-c')?.reason).toBe('Promoted');
    expect(r.plan.removed.map((x) => x.reason)).toEqual(['MemberNotFound']);
  });
});

describe('planGateway: never zero serving endpoints, counts and cycles', () => {
  const all = [healthy('edge-a'), healthy('edge-b'), healthy('edge-c'), ...clouds];

  it('reinstates a draining placement whose workload still serves when nothing else does', () => {
    // Failback just completed (edge-c drains), then the returning edge-a breaks before edge-c is pruned.
    const gw = gateway({
      authorization: { sites: 1 },
      placements: [
        {
          component: 'authorization',
          member: 'edge-a',
          memberKind: 'EdgeSite',
          state: 'Active',
          replicas: 2,
          since: at(0),
          reason: 'Failback',
          message: 'x',
          unavailableSince: at(5),
        },
        {
          component: 'authorization',
          member: 'edge-c',
          memberKind: 'EdgeSite',
          state: 'Draining',
          replicas: 2,
          since: at(5),
          reason: 'FailedBack',
          message: 'x',
          replacedMember: 'edge-a',
        },
      ],
      epoch: 7,
    });
    const r = pass(gw, all, { 'edge-a': 'down', 'edge-c': 'up' }, 6);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-c:FailoverTarget>edge-a']);
    expect(r.plan.placements.find((p) => p.member === 'edge-c')?.reason).toBe('Reinstated');
    expect(r.plan.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'PlacementReinstated']]);
    expect(r.plan.epoch).toBe(8);
    expect(routes(r.plan, all, { 'edge-a': 'down', 'edge-c': 'up' })).toEqual(['edge-c']);
    // A fixed point: the next pass keeps it, and edge-c drains again once edge-a serves.
    expect(pass(r.gateway, all, { 'edge-a': 'down', 'edge-c': 'up' }, 6).plan.placements).toEqual(
      r.plan.placements,
    );
    const ok = pass(r.gateway, all, { 'edge-a': 'up', 'edge-c': 'up' }, 7);
    expect(authView(ok.plan.placements)).toEqual(['edge-a:Active', 'edge-c:Draining>edge-a']);
  });

  it('takes a returning site back at once when its replacement never served and nothing else does', () => {
    const gw = placed(gateway({ authorization: { sites: 1 } }), [healthy('edge-a'), ...clouds]);
    let r = pass(gw, [down('edge-a', 0), healthy('edge-b'), ...clouds], {}, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-b:FailoverTarget>edge-a', 'edge-a:Lost']);
    r = pass(
      r.gateway,
      [back('edge-a', 'Healthy', 3), healthy('edge-b'), ...clouds],
      { 'edge-a': 'up', 'edge-b': 'down' },
      3,
    );
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Draining>edge-a']);
    expect(r.plan.events.map((e) => e.reason)).toEqual([
      'PlacementFenced',
      'PlacementReinstated',
      'FailbackCompleted',
    ]);
  });

  it('drains what spec.authorization.sites no longer wants, but only while something else serves', () => {
    const gw3 = placed(gateway({ authorization: { sites: 3 } }), all);
    expect(authView(gw3.status?.placements ?? [])).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:Active',
    ]);
    const gw2 = { ...gw3, spec: { ...gw3.spec, authorization: { ...gw3.spec.authorization, sites: 2 } } };
    const r = pass(gw2, all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 1);
    expect(authView(r.plan.placements).filter((p) => p.endsWith(':Draining'))).toHaveLength(1);
    expect(r.plan.placements.find((p) => p.state === 'Draining')?.reason).toBe('ScaledDown');
    const gw1 = { ...gw3, spec: { ...gw3.spec, authorization: { ...gw3.spec.authorization, sites: 1 } } };
    const held = pass(gw1, all, { 'edge-a': 'down', 'edge-b': 'up', 'edge-c': 'down' }, 1);
    expect(held.plan.placements.some((p) => p.member === 'edge-b' && p.state === 'Active')).toBe(true);
  });

  it('fills new slots when sites grows, as new placements still rolling out', () => {
    const gw = serving(gateway(), all);
    const more = { ...gw, spec: { ...gw.spec, authorization: { ...gw.spec.authorization, sites: 3 } } };
    const r = pass(more, all, { 'edge-a': 'up', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Active']);
    expect(r.plan.placements[2]).toMatchObject({ since: at(1), unavailableSince: at(1), reason: 'Selected' });
  });

  it('gives two FailoverTargets standing in for each other their own slots back', () => {
    const gw = gateway({
      placements: [
        {
          component: 'authorization',
          member: 'edge-a',
          memberKind: 'EdgeSite',
          state: 'FailoverTarget',
          replicas: 2,
          since: at(0),
          reason: 'FailoverServing',
          replacedMember: 'edge-b',
        },
        {
          component: 'authorization',
          member: 'edge-b',
          memberKind: 'EdgeSite',
          state: 'FailoverTarget',
          replicas: 2,
          since: at(0),
          reason: 'FailoverServing',
          replacedMember: 'edge-a',
        },
      ],
      epoch: 3,
    });
    const r = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up' }, 1);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(r.plan.placements.map((p) => p.reason).slice(0, 2)).toEqual(['Rehomed', 'Rehomed']);
    expect(r.plan.failedOver.status).toBe(false);
  });

  it('keeps a Draining placement on an unreachable member until its workload is seen gone', () => {
    const gw = gateway({
      placements: [
        {
          component: 'authorization',
          member: 'edge-a',
          memberKind: 'EdgeSite',
          state: 'Active',
          replicas: 2,
          since: at(0),
        },
        {
          component: 'authorization',
          member: 'edge-c',
          memberKind: 'EdgeSite',
          state: 'Draining',
          replicas: 2,
          since: at(0),
        },
      ],
      epoch: 3,
    });
    const members = [healthy('edge-a'), healthy('edge-b'), down('edge-c', 0), ...clouds];
    const r = pass(gw, members, { 'edge-a': 'up', 'edge-c': 'unobserved' }, 1);
    expect(authView(r.plan.placements)).toContain('edge-c:Draining');
    expect(r.plan.removed).toEqual([]);
  });
});

describe('planGateway: a move completes while an earlier stand-in of the slot is Lost', () => {
  it('re-roots the Lost stand-in to the move target instead of replacing the old root a second time', () => {
    // Found by the property test: edge-a was moved to edge-b by an SRE, edge-b was lost, then
    // edge-a was moved again, to edge-c. When edge-c serves, the slot's root becomes edge-c; the Lost
    // edge-b still named edge-a, whose slot, left without a home, got a FailoverTarget of its own:
    // two serving where one is wanted.
    const gw0 = gateway({ authorization: { sites: 1 } });
    const members = [
      healthy('edge-a', { zone: 'zone-a' }),
      down('edge-b', 2, { zone: 'zone-a' }),
      healthy('edge-c', { zone: 'zone-a' }),
      healthy('edge-d', { zone: 'zone-a' }),
      ...clouds,
    ];
    const ledger = {
      component: 'ledger' as const,
      member: 'cloud-a',
      memberKind: 'CloudCluster' as const,
      state: 'Active' as const,
      since: at(0),
      reason: 'PrimaryConfigured',
    };
    const auth = (member: string, state: 'Active' | 'Lost', since: number, extra: object = {}) => ({
      component: 'authorization' as const,
      member,
      memberKind: 'EdgeSite' as const,
      state,
      replicas: 2,
      since: at(since),
      reason: state === 'Lost' ? 'MemberUnreachable' : 'Selected',
      ...extra,
    });
    const gw = applyPlan(gw0, {
      epoch: 4,
      placements: [
        auth('edge-a', 'Active', 0),
        auth('edge-c', 'Active', 3, {
          reason: 'ManualMove',
          replacedMember: 'edge-a',
          unavailableSince: at(3),
        }),
        auth('edge-b', 'Lost', 2, { replacedMember: 'edge-a' }),
        ledger,
      ],
    });
    const r = pass(gw, members, { 'edge-a': 'up', 'edge-c': 'up', 'edge-b': 'unobserved' }, 4);
    expect(authView(r.plan.placements)).toEqual(['edge-c:Active', 'edge-a:Draining', 'edge-b:Lost>edge-c']);
    expect(reasons(r.plan)).toContain('MoveCompleted');
  });
});

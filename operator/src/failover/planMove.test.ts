import type { PaymentGateway } from '../api/index.js';
import type { MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { planMove } from './planMove.js';
import { applyPlan, at, authView, cloud, edge, gateway, pass } from './testSupport.js';

const all = [edge('edge-a'), edge('edge-b'), edge('edge-c'), cloud('cloud-a')];

function placed(gw: PaymentGateway, members: readonly MemberView[] = all): PaymentGateway {
  return applyPlan(gw, planGateway({ gateway: gw, members, workloads: [], now: at(0) }));
}

function moved(
  gw: PaymentGateway,
  from: string,
  to: string,
  members: readonly MemberView[] = all,
  t = 10,
): PaymentGateway {
  const result = planMove(gw, members, { from, to }, at(t));
  if (!result.ok) throw new Error(result.message);
  return applyPlan(gw, result);
}

describe('planMove', () => {
  it('adds the target Active (ManualMove); the source drains only once it serves, then the link is dropped', () => {
    const gw = placed(gateway());
    const result = planMove(gw, all, { from: 'edge-a', to: 'edge-c' }, at(10));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(authView(result.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Active>edge-a']);
    expect(result.added).toMatchObject({ reason: 'ManualMove', since: at(10), unavailableSince: at(10) });
    expect(result.epoch).toBe((gw.status?.epoch ?? 0) + 1);
    expect(result.events.map((e) => e.reason)).toEqual(['MoveStarted']);
    let r = pass(applyPlan(gw, result), all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'down' }, 11);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Active>edge-a']);
    expect(r.plan.epoch).toBe(result.epoch);
    r = pass(r.gateway, all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 12);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:Active', 'edge-a:Draining']);
    expect(r.plan.placements.find((p) => p.member === 'edge-a')?.reason).toBe('MovedAway');
    expect(r.plan.placements.find((p) => p.member === 'edge-c')?.reason).toBe('Moved');
    expect(r.plan.events.map((e) => e.reason)).toEqual(['MoveCompleted']);
    r = pass(r.gateway, all, { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' }, 13);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:Active']);
  });

  it('is how an SRE fails over in Manual mode, and moves back the same way', () => {
    const members = [edge('edge-a', { health: 'Unreachable' }), ...all.slice(1)];
    let gw = placed(gateway({ failover: { mode: 'Manual' } }));
    gw = pass(gw, members, { 'edge-b': 'up' }, 5).gateway;
    expect(authView(gw.status?.placements ?? [])).toEqual(['edge-b:Active', 'edge-a:Lost']);
    gw = moved(gw, 'edge-a', 'edge-c', members);
    expect(authView(gw.status?.placements ?? [])).toEqual([
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
      'edge-a:Lost',
    ]);
    let r = pass(gw, members, { 'edge-b': 'up', 'edge-c': 'up' }, 12);
    expect(r.plan.events.map((e) => e.reason)).toEqual(['MoveCompleted']);
    expect(r.plan.problems.map((p) => p.reason)).not.toContain('ManualFailoverRequired');
    // edge-a returns: fenced and drained, and in Manual mode nothing fails back on its own.
    r = pass(r.gateway, all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 20);
    r = pass(r.gateway, all, { 'edge-a': 'gone', 'edge-b': 'up', 'edge-c': 'up' }, 21);
    r = pass(r.gateway, all, { 'edge-b': 'up', 'edge-c': 'up' }, 5000);
    expect(authView(r.plan.placements)).toEqual(['edge-b:Active', 'edge-c:FailoverTarget>edge-a']);
    expect(r.plan.failedOver.message).toMatch(
      /move it back with kubectl paygrid move payments\/checkout --from edge-c --to edge-a/,
    );
    gw = moved(r.gateway, 'edge-c', 'edge-a', all, 5001);
    expect(authView(gw.status?.placements ?? [])).toEqual([
      'edge-a:Active',
      'edge-b:Active',
      'edge-c:FailoverTarget>edge-a',
    ]);
    r = pass(gw, all, { 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up' }, 5002);
    expect(authView(r.plan.placements)).toEqual(['edge-a:Active', 'edge-b:Active', 'edge-c:Draining>edge-a']);
    expect(r.plan.placements.find((p) => p.member === 'edge-c')?.reason).toBe('MovedAway');
  });

  it('moves a FailoverTarget as a FailoverTarget, so failback still goes home', () => {
    let gw = placed(gateway(), [...all, edge('edge-d')]);
    const members = [edge('edge-a', { health: 'Unreachable' }), ...all.slice(1), edge('edge-d')];
    gw = pass(gw, members, { 'edge-b': 'up' }, 1).gateway;
    expect(authView(gw.status?.placements ?? [])).toContain('edge-c:FailoverTarget>edge-a');
    gw = moved(gw, 'edge-c', 'edge-d', members);
    const r = pass(gw, members, { 'edge-b': 'up', 'edge-c': 'up', 'edge-d': 'up' }, 11);
    expect(authView(r.plan.placements)).toEqual([
      'edge-b:Active',
      'edge-d:FailoverTarget>edge-a',
      'edge-c:Draining>edge-a',
      'edge-a:Lost',
    ]);
  });

  it('says why a move cannot be made', () => {
    const gw = placed(gateway());
    const error = (from: string, to: string, members: readonly MemberView[] = all, g = gw) => {
      const r = planMove(g, members, { from, to }, at(10));
      return r.ok ? 'ok' : `${r.reason}: ${r.message}`;
    };
    expect(
      error('edge-a', 'edge-c', [...all.slice(0, 2), edge('edge-c', { cordoned: true }), ...all.slice(3)]),
    ).toBe(
      'Ineligible: cannot move authorization of payments/checkout to edge-c: edge-c is cordoned; uncordon it first',
    );
    expect(
      error('edge-a', 'edge-c', [...all.slice(0, 2), edge('edge-c', { health: 'Suspect' }), ...all.slice(3)]),
    ).toBe(
      'Ineligible: cannot move authorization of payments/checkout to edge-c: edge-c is Suspect; wait until it is Healthy and Ready',
    );
    expect(error('edge-a', 'cloud-a')).toMatch(
      /^Ineligible: .*add Cloud to spec.failover.fallback to allow CloudClusters$/,
    );
    expect(error('edge-a', 'edge-b')).toBe(
      'AlreadyPlaced: edge-b already holds authorization of payments/checkout (Active)',
    );
    expect(error('edge-c', 'edge-a')).toMatch(
      /^NoPlacement: edge-c holds no authorization placement of payments\/checkout; it has edge-a \(Active\) and edge-b \(Active\)$/,
    );
    expect(error('edge-a', 'edge-a')).toMatch(/^SameMember/);
    expect(error('edge-a', 'edge-z')).toBe('MemberNotFound: no EdgeSite or CloudCluster is named edge-z');
    const paused = { ...gw, spec: { ...gw.spec, failover: { paused: true } } };
    expect(error('edge-a', 'edge-c', all, paused)).toMatch(/^Paused/);
    const inFlight = moved(gw, 'edge-a', 'edge-c', [...all, edge('edge-d')]);
    expect(error('edge-a', 'edge-d', [...all, edge('edge-d')], inFlight)).toMatch(
      /^MoveInProgress: a move of this placement to edge-c/,
    );
  });
});

import type { PaymentGateway } from '../api/index.js';
import type { MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { applyPlan, at, cloud, edge, gateway, signals, type WorkloadState } from './testSupport.js';
import type { GatewayPlan } from './types.js';

const ledgerView = (plan: GatewayPlan): string[] =>
  plan.placements
    .filter((p) => p.component === 'ledger')
    .map((p) => `${p.member}:${p.state}${p.replacedMember ? `>${p.replacedMember}` : ''}`)
    .sort();

const unreachable = (name: string): MemberView =>
  cloud(name, { health: 'Unreachable', ready: false, healthSince: at(5) });

/** One pass with authorization up on edge-a and the ledgers in the states given. */
function step(
  gw: PaymentGateway,
  members: readonly MemberView[],
  ledgers: Readonly<Record<string, WorkloadState>>,
  seconds: number,
): { plan: GatewayPlan; gateway: PaymentGateway } {
  const plan = planGateway({
    gateway: gw,
    members,
    workloads: [...signals({ 'edge-a': 'up' }), ...signals(ledgers, 'ledger')],
    now: at(seconds),
  });
  return { plan, gateway: applyPlan(gw, plan) };
}

const healthy = [edge('edge-a'), cloud('cloud-a'), cloud('cloud-b'), cloud('cloud-c')];
const withoutA = [edge('edge-a'), unreachable('cloud-a'), cloud('cloud-b'), cloud('cloud-c')];

function placed(options: Parameters<typeof gateway>[0] = {}): PaymentGateway {
  const gw = gateway({ ledger: { primary: 'cloud-a', standbys: ['cloud-b', 'cloud-c'] }, ...options });
  const first = step(gw, healthy, { 'cloud-a': 'up', 'cloud-b': 'up', 'cloud-c': 'up' }, 0);
  expect(ledgerView(first.plan)).toEqual(['cloud-a:Active', 'cloud-b:Standby', 'cloud-c:Standby']);
  return first.gateway;
}

describe('failoverLedger: the primary cloud cluster lost', () => {
  it('promotes the first standby, fenced by a new epoch, once; the plan is a fixed point', () => {
    const gw = placed();
    const lost = step(gw, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 10);
    expect(ledgerView(lost.plan)).toEqual([
      'cloud-a:Lost',
      'cloud-b:FailoverTarget>cloud-a',
      'cloud-c:Standby',
    ]);
    expect(lost.plan.epoch).toBe((gw.status?.epoch ?? 0) + 1);
    expect(lost.plan.events.filter((e) => e.reason === 'LedgerPromoted').map((e) => e.member)).toEqual([
      'cloud-b',
    ]);
    expect(lost.plan.failovers).toEqual([{ from: 'cloud-a', to: 'cloud-b', reason: 'SiteUnreachable' }]);
    const ledgerProblems = lost.plan.problems.filter((p) => p.component === 'ledger');
    expect(ledgerProblems.map((p) => `${p.severity}:${p.reason}`)).toEqual(['Warning:PrimaryReplaced']);
    expect(ledgerProblems[0]?.message).toContain('the promoted standby ledger on cloud-b writes the books');

    const again = step(lost.gateway, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 20);
    expect(again.plan.changed).toBe(false);
    expect(again.plan.epoch).toBe(lost.plan.epoch);
    expect(again.plan.events.filter((e) => e.reason === 'LedgerPromoted')).toEqual([]);
  });

  it('keeps the books on the promoted standby when the old primary is back: fenced, not writing', () => {
    const gw = placed();
    const lost = step(gw, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 10).gateway;
    const back = step(lost, healthy, { 'cloud-a': 'up', 'cloud-b': 'up', 'cloud-c': 'up' }, 30);
    expect(ledgerView(back.plan)).toEqual([
      'cloud-a:Lost',
      'cloud-b:FailoverTarget>cloud-a',
      'cloud-c:Standby',
    ]);
    expect(back.plan.placements.find((p) => p.member === 'cloud-a')?.reason).toBe('AwaitingFailback');
    expect(back.plan.problems.find((p) => p.reason === 'LedgerFailedOver')?.message).toContain(
      'set spec.ledger.primary to cloud-b',
    );
    // Much later, still there: the books do not move back on their own.
    const later = step(back.gateway, healthy, { 'cloud-a': 'up', 'cloud-b': 'up', 'cloud-c': 'up' }, 3600);
    expect(ledgerView(later.plan)).toEqual(ledgerView(back.plan));
  });

  it('makes the promotion permanent when the SRE makes the promoted cluster the primary', () => {
    const gw = placed();
    const lost = step(gw, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 10).gateway;
    const back = step(lost, healthy, { 'cloud-a': 'up', 'cloud-b': 'up', 'cloud-c': 'up' }, 30).gateway;
    const swapped: PaymentGateway = {
      ...back,
      spec: {
        ...back.spec,
        ledger: { ...back.spec.ledger, primary: 'cloud-b', standbys: ['cloud-a', 'cloud-c'] },
      },
    };
    const r = step(swapped, healthy, { 'cloud-a': 'up', 'cloud-b': 'up', 'cloud-c': 'up' }, 40);
    expect(ledgerView(r.plan)).toEqual(['cloud-a:Standby', 'cloud-b:Active', 'cloud-c:Standby']);
    expect(r.plan.problems.filter((p) => p.component === 'ledger')).toEqual([]);
  });

  it('ends the stand-in when the spec names another primary: one writer, the promoted one a standby again', () => {
    const gw = placed();
    const lost = step(gw, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 10).gateway;
    const moved: PaymentGateway = {
      ...lost,
      spec: { ...lost.spec, ledger: { ...lost.spec.ledger, primary: 'cloud-c', standbys: ['cloud-b'] } },
    };
    const r = step(moved, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 20);
    expect(ledgerView(r.plan)).toEqual(['cloud-b:Standby', 'cloud-c:Active']);
    expect(r.plan.removed.map((x) => `${x.placement.member}:${x.reason}`)).toEqual([
      'cloud-a:NoLongerConfigured',
    ]);
    expect(r.plan.epoch).toBeGreaterThan(lost.status?.epoch ?? 0);
  });

  it('passes over standbys that cannot write and says why when none can', () => {
    const gw = placed();
    const bDown = [edge('edge-a'), unreachable('cloud-a'), unreachable('cloud-b'), cloud('cloud-c')];
    // cloud-b unreachable too, cloud-c's ledger not available: nothing is promoted.
    const none = step(gw, bDown, { 'cloud-c': 'down' }, 10);
    expect(ledgerView(none.plan)).toEqual(['cloud-a:Lost', 'cloud-b:Lost', 'cloud-c:Standby']);
    const problem = none.plan.problems.find((p) => p.reason === 'NoStandbyToPromote');
    expect(problem?.severity).toBe('Error');
    expect(problem?.message).toContain("cloud-b's ledger is Lost");
    expect(problem?.message).toContain("cloud-c's standby ledger is not available");
    // cloud-c's ledger comes up: it is the one promoted.
    const c = step(none.gateway, bDown, { 'cloud-c': 'up' }, 12);
    expect(ledgerView(c.plan)).toEqual(['cloud-a:Lost', 'cloud-b:Lost', 'cloud-c:FailoverTarget>cloud-a']);
  });

  it('promotes nothing in Manual mode, and says how', () => {
    const gw = placed({ failover: { mode: 'Manual' } });
    const r = step(gw, withoutA, { 'cloud-b': 'up', 'cloud-c': 'up' }, 10);
    expect(ledgerView(r.plan)).toEqual(['cloud-a:Lost', 'cloud-b:Standby', 'cloud-c:Standby']);
    expect(r.plan.problems.find((p) => p.reason === 'ManualPromotionRequired')?.message).toContain(
      'making it spec.ledger.primary of payments/checkout',
    );
  });

  it('promotes nothing while the primary is back but recovering, or when there is no standby', () => {
    const gw = placed();
    const lost = step(
      gw,
      [edge('edge-a'), unreachable('cloud-a'), unreachable('cloud-b'), unreachable('cloud-c')],
      {},
      10,
    );
    expect(ledgerView(lost.plan)).toEqual(['cloud-a:Lost', 'cloud-b:Lost', 'cloud-c:Lost']);
    const recovering = [
      edge('edge-a'),
      cloud('cloud-a', { health: 'Recovering' }),
      cloud('cloud-b'),
      cloud('cloud-c'),
    ];
    const r = step(lost.gateway, recovering, { 'cloud-a': 'down', 'cloud-b': 'up', 'cloud-c': 'up' }, 20);
    expect(r.plan.placements.find((p) => p.member === 'cloud-a')?.state).toBe('Lost');
    expect(r.plan.placements.some((p) => p.state === 'FailoverTarget')).toBe(false);

    const alone = gateway({ ledger: { primary: 'cloud-a' } });
    const first = step(alone, healthy, { 'cloud-a': 'up' }, 0).gateway;
    const n = step(first, withoutA, {}, 10);
    expect(ledgerView(n.plan)).toEqual(['cloud-a:Lost']);
    expect(n.plan.problems.find((p) => p.reason === 'NoStandbyToPromote')?.message).toContain(
      'spec.ledger.standbys is empty',
    );
  });
});

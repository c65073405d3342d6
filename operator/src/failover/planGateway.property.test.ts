// Properties of the failover planner over random histories: members die, come back, flap, get
// cordoned, their workloads break; the controller loop runs planGateway at random intervals and does
// what the plan says. After every pass: no duplicated or lost placement, never more serving placements
// than sites plus make-before-break pairs in flight, never zero serving endpoints while a healthy
// eligible site kept an available workload, one epoch per change, and a fixed point (the operator may
// be killed at any step and run the pass again). At the end, with every site healthy, it converges.
import fc from 'fast-check';
import type { Placement } from '../api/index.js';
import { placementChanged, type FallbackTier } from '../placement/index.js';
import type { SpreadBy } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { gateway, T0, withStatus } from './testSupport.js';
import { World, type SimAction, type SimSite } from './simulation.js';
import { formatTime } from './time.js';
import type { WorkloadSignal } from './types.js';

const siteArb = (i: number): fc.Arbitrary<SimSite> =>
  fc
    .record({
      region: fc.constantFrom('eu-west', 'eu-west', 'us-east'),
      zone: fc.constantFrom('a', 'b', 'c'),
    })
    .map((r) => ({
      name: `edge-${i}`,
      kind: 'EdgeSite' as const,
      region: r.region,
      zone: r.zone,
      health: 'Healthy' as const,
      healthSince: T0 - 3_600_000,
      cordoned: false,
      broken: false,
    }));

const worldArb = fc.record({
  sites: fc
    .integer({ min: 2, max: 5 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => siteArb(i)))),
  wanted: fc.integer({ min: 1, max: 3 }),
  spreadBy: fc.constantFrom<SpreadBy>('zone', 'none'),
  fallback: fc.constantFrom<FallbackTier[]>(
    ['SameRegionEdge', 'AnyEdge'],
    ['SameRegionEdge', 'AnyEdge', 'Cloud'],
    ['AnyEdge'],
    ['SameRegionEdge'],
    ['AnyEdge', 'Cloud'],
  ),
  mode: fc.constantFrom<'Automatic' | 'Manual'>('Automatic', 'Automatic', 'Automatic', 'Manual'),
  detection: fc.integer({ min: 1, max: 10 }),
  stabilization: fc.constantFrom(0, 5, 20, 60),
});

const actionArb: fc.Arbitrary<SimAction> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('kill' as const), site: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('revive' as const), site: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('heal' as const), site: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspect' as const), site: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('break' as const), site: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fix' as const), site: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cordon' as const), site: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('uncordon' as const), site: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), from: fc.nat(9), to: fc.nat(9) }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'nothing' as const }) },
);

const stepArb = fc.record({
  dt: fc.integer({ min: 1, max: 15 }),
  action: actionArb,
  delay: fc.integer({ min: 0, max: 8 }),
});

function auth(placements: readonly Placement[]): Placement[] {
  return placements.filter((p) => p.component === 'authorization');
}
const isServer = (p: Placement) => p.state === 'Active' || p.state === 'FailoverTarget';
const availableIn = (signals: readonly WorkloadSignal[], member: string) =>
  signals.some((s) => s.member === member && s.observed && s.available && s.present !== false);

/** Make-before-break pairs in flight, counted from status alone. */
function inFlight(placements: readonly Placement[]): number {
  const a = auth(placements);
  const targets = a.filter((p) => p.state === 'FailoverTarget');
  const returning = targets.filter((t) =>
    a.some((p) => p.state === 'Active' && p.member === t.replacedMember),
  ).length;
  const perRoot = new Map<string, number>();
  for (const t of targets)
    perRoot.set(t.replacedMember ?? '', (perRoot.get(t.replacedMember ?? '') ?? 0) + 1);
  const superseded = [...perRoot.values()].reduce((n, c) => n + c - 1, 0);
  const moves = a.filter((p) => p.state === 'Active' && p.replacedMember !== undefined).length;
  return returning + superseded + moves;
}

describe('planGateway properties (simulated histories)', () => {
  it('keeps every invariant at every step, and converges once every site is healthy', () => {
    // How often the interesting transitions happened, so the property is known not to hold vacuously.
    const seen = new Map<string, number>();
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    fc.assert(
      fc.property(worldArb, fc.array(stepArb, { minLength: 5, maxLength: 60 }), (cfg, steps) => {
        const sites: SimSite[] = [
          ...cfg.sites,
          {
            name: 'cloud-x',
            kind: 'CloudCluster',
            region: 'eu-central',
            health: 'Healthy',
            healthSince: T0 - 3_600_000,
            cordoned: false,
            broken: false,
          },
        ];
        const gw = gateway({
          authorization: { sites: cfg.wanted, spreadBy: cfg.spreadBy },
          ledger: { primary: 'cloud-x' },
          failover: {
            mode: cfg.mode,
            fallback: cfg.fallback,
            detectionWindowSeconds: cfg.detection,
            failbackStabilizationSeconds: cfg.stabilization,
          },
        });
        const world = new World(sites, gw, T0);
        let previous = world.pass(0);
        let prevSignals = previous.signals;
        const check = (delay: number) => {
          const before = world.gateway;
          const { plan, signals, members } = world.pass(delay);
          const placements = auth(plan.placements);
          // No duplicates.
          const keys = plan.placements.map((p) => `${p.component}|${p.memberKind}/${p.member}`);
          expect(new Set(keys).size).toBe(keys.length);
          // Nothing lost: a placement leaves only as a Draining one whose workload is observed gone.
          for (const p of auth(before.status?.placements ?? [])) {
            const still = placements.some((q) => q.member === p.member && q.memberKind === p.memberKind);
            if (!still) {
              const s = signals.find((x) => x.member === p.member);
              expect(p.state).toBe('Draining');
              expect(s?.observed === true && s.present === false).toBe(true);
            }
          }
          // Every FailoverTarget says whom it stands in for.
          for (const p of placements.filter((x) => x.state === 'FailoverTarget'))
            expect(p.replacedMember).toBeTruthy();
          // Never more serving placements than sites plus make-before-break pairs in flight.
          expect(placements.filter(isServer).length).toBeLessThanOrEqual(
            cfg.wanted + inFlight(plan.placements),
          );
          // Never zero serving while a healthy eligible site kept an available workload.
          const keptServing = members.some(
            (m) =>
              m.health === 'Healthy' &&
              m.ready &&
              !m.cordoned &&
              (m.kind === 'EdgeSite' || cfg.fallback.includes('Cloud')) &&
              availableIn(prevSignals, m.name) &&
              availableIn(signals, m.name),
          );
          if (keptServing) {
            expect(placements.some((p) => isServer(p) && availableIn(signals, p.member))).toBe(true);
          }
          for (const e of plan.events) count(e.reason);
          if (keptServing) count('keptServing');
          // One epoch per change.
          const changed = placementChanged(before.status?.placements, plan.placements);
          expect(plan.changed).toBe(changed);
          expect(plan.epoch).toBe((before.status?.epoch ?? 0) + (changed ? 1 : 0));
          // A fixed point: the same pass again (a restarted operator) changes nothing and records nothing.
          const again = planGateway({
            gateway: withStatus(before, plan.placements, plan.epoch),
            members,
            workloads: signals,
            now: formatTime(world.now),
          });
          expect(again.placements).toEqual(plan.placements);
          expect(again.epoch).toBe(plan.epoch);
          expect(again.events).toEqual([]);
          expect(again.failovers).toEqual([]);
          // Deterministic whatever the order of members, placements and signals.
          const reversed = planGateway({
            gateway: withStatus(
              before,
              [...(before.status?.placements ?? [])].reverse(),
              before.status?.epoch ?? 0,
            ),
            members: [...members].reverse(),
            workloads: [...signals].reverse(),
            now: formatTime(world.now),
          });
          expect(reversed.placements).toEqual(plan.placements);
          expect(reversed.epoch).toBe(plan.epoch);
          prevSignals = signals;
          previous = { plan, signals, members };
        };
        for (const step of steps) {
          world.now += step.dt * 1000;
          if (world.act(step.action)) count('move');
          check(step.delay);
        }
        // Every site healthy, uncordoned and fixed: it converges.
        for (const s of world.sites) {
          if (s.health !== 'Healthy') {
            s.health = 'Healthy';
            s.healthSince = world.now;
          }
          s.cordoned = false;
          s.broken = false;
        }
        for (let i = 0; i < 40; i++) {
          world.now += 10_000;
          check(0);
        }
        const final = auth(previous.plan.placements);
        expect(final.filter((p) => p.state === 'Lost' || p.state === 'Draining')).toEqual([]);
        if (cfg.mode === 'Automatic') expect(final.filter((p) => p.state !== 'Active')).toEqual([]);
        const edges = cfg.sites.length + (cfg.fallback.includes('Cloud') ? 1 : 0);
        expect(final.length).toBe(Math.min(cfg.wanted, edges));
        for (const p of final)
          expect(availableIn(previous.signals, p.member) || world.available(p.member)).toBe(true);
      }),
      { numRuns: 200 },
    );
    for (const what of [
      'FailoverStarted',
      'FailoverCompleted',
      'FailbackStarted',
      'FailbackCompleted',
      'PlacementFenced',
      'WorkloadUnavailable',
      'SiteUnreachable',
      'move',
      'MoveCompleted',
      'keptServing',
    ]) {
      if (!seen.get(what)) throw new Error(`no history had ${what}: ${JSON.stringify([...seen])}`);
    }
  });
});

// Properties of the placement planner over random sites and gateways.
import fc from 'fast-check';
import type { PaymentGateway } from '../api/index.js';
import { assessEligibility } from './eligibility.js';
import { placeGateway } from './placeGateway.js';
import { spreadDomain } from './spread.js';
import { cloud, edge, gateway, withStatus } from './testSupport.js';
import type { MemberView, SpreadBy } from './types.js';

const NOW = '2025-06-01T12:00:00Z';
const LATER = '2025-06-01T12:01:00Z';

const siteArb = (name: string): fc.Arbitrary<MemberView> =>
  fc
    .record({
      region: fc.constantFrom('eu-west', 'eu-north', 'us-east'),
      zone: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      tier: fc.constantFrom('gold', 'silver'),
      health: fc.constantFrom(
        'Healthy',
        'Healthy',
        'Healthy',
        'Suspect',
        'Unreachable',
        'Recovering',
        'Unknown',
      ),
      ready: fc.constantFrom(true, true, true, false),
      cordoned: fc.constantFrom(false, false, false, true),
      capacity: fc.constantFrom(100, 300, 1000),
      used: fc.constantFrom(0, 0, 50, 250, 900),
    })
    .map((r) =>
      edge(name, {
        region: r.region,
        zone: r.zone,
        labels: { tier: r.tier },
        health: r.health as MemberView['health'],
        ready: r.ready,
        cordoned: r.cordoned,
        capacity: { authorizationsPerSecond: r.capacity },
        usedByOthers: { authorizationsPerSecond: Math.min(r.used, r.capacity) },
      }),
    );

const sitesArb: fc.Arbitrary<MemberView[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 12 })
  .chain((ids): fc.Arbitrary<MemberView[]> =>
    ids.length === 0 ? fc.constant([]) : fc.tuple(...ids.map((i) => siteArb(`edge-${i}`))).map((t) => [...t]),
  );

const gatewayArb = fc
  .record({
    sites: fc.integer({ min: 1, max: 6 }),
    spreadBy: fc.constantFrom<SpreadBy>('zone', 'region', 'none'),
    gold: fc.boolean(),
    need: fc.constantFrom(50, 100, 200),
  })
  .map((g) =>
    gateway({
      authorization: {
        sites: g.sites,
        spreadBy: g.spreadBy,
        authorizationsPerSecond: g.need,
        ...(g.gold ? { siteSelector: { matchLabels: { tier: 'gold' } } } : {}),
      },
    }),
  );

const clouds = [cloud('cloud-a'), cloud('cloud-b')];

function eligible(gw: PaymentGateway, members: readonly MemberView[]): MemberView[] {
  const a = gw.spec.authorization;
  return members.filter(
    (m) =>
      assessEligibility(m, {
        kinds: ['EdgeSite'],
        selectors: { EdgeSite: a.siteSelector ?? {} },
        authorizationsPerSecond: a.authorizationsPerSecond ?? 100,
      }).eligible,
  );
}

function authMembers(placements: readonly { component: string; member: string; state: string }[]): string[] {
  return placements.filter((p) => p.component === 'authorization').map((p) => `${p.member}:${p.state}`);
}

describe('placeGateway properties', () => {
  it('is deterministic and independent of the order of members and placements', () => {
    fc.assert(
      fc.property(gatewayArb, sitesArb, fc.infiniteStream(fc.nat()), (gw, sites, rand) => {
        const members = [...sites, ...clouds];
        const first = placeGateway(gw, members, NOW);
        expect(placeGateway(gw, members, NOW)).toEqual(first);
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          const it = rand[Symbol.iterator]();
          for (let i = out.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
          }
          return out;
        };
        expect(placeGateway(gw, shuffle(members), NOW)).toEqual(first);
        // And with the result as status, shuffled too.
        const again = withStatus(gw, first.placements, first.epoch);
        const shuffled = withStatus(gw, shuffle(first.placements), first.epoch);
        expect(placeGateway(shuffled, shuffle(members), LATER)).toEqual(placeGateway(again, members, LATER));
      }),
    );
  });

  it('places min(sites, eligible) sites when starting fresh', () => {
    fc.assert(
      fc.property(gatewayArb, sitesArb, (gw, sites) => {
        const result = placeGateway(gw, [...sites, ...clouds], NOW);
        const want = Math.min(gw.spec.authorization.sites ?? 2, eligible(gw, sites).length);
        expect(authMembers(result.placements)).toHaveLength(want);
        const flagged = result.problems.some(
          (p) => p.component === 'authorization' && p.severity === 'Error',
        );
        expect(flagged).toBe(want < (gw.spec.authorization.sites ?? 2));
      }),
    );
  });

  it('never exceeds a site capacity', () => {
    fc.assert(
      fc.property(gatewayArb, sitesArb, (gw, sites) => {
        const byName = new Map(sites.map((s) => [s.name, s]));
        const need = gw.spec.authorization.authorizationsPerSecond ?? 100;
        let result = placeGateway(gw, [...sites, ...clouds], NOW);
        // Also after a second round with the result as status (kept placements are checked too).
        result = placeGateway(withStatus(gw, result.placements, result.epoch), [...sites, ...clouds], LATER);
        for (const p of result.placements.filter(
          (x) => x.component === 'authorization' && x.state !== 'Lost',
        )) {
          const s = byName.get(p.member);
          expect(s).toBeDefined();
          expect((s?.usedByOthers.authorizationsPerSecond ?? 0) + need).toBeLessThanOrEqual(
            s?.capacity?.authorizationsPerSecond ?? 0,
          );
        }
      }),
    );
  });

  it('spreads: no two placements share a domain while another eligible domain is unused', () => {
    fc.assert(
      fc.property(gatewayArb, sitesArb, (gw, sites) => {
        const spreadBy = gw.spec.authorization.spreadBy ?? 'zone';
        const result = placeGateway(gw, [...sites, ...clouds], NOW);
        const placed = result.placements.filter((p) => p.component === 'authorization').map((p) => p.member);
        const byName = new Map(sites.map((s) => [s.name, s]));
        const domains = placed.map((n) => spreadDomain(byName.get(n) as MemberView, spreadBy));
        const eligibleDomains = new Set(eligible(gw, sites).map((m) => spreadDomain(m, spreadBy)));
        expect(new Set(domains).size).toBe(Math.min(placed.length, eligibleDomains.size));
        const spreadProblem = result.problems.some((p) => p.reason === 'SpreadUnsatisfiable');
        expect(spreadProblem).toBe(new Set(domains).size < placed.length);
      }),
    );
  });

  it('is stable: adding an eligible site moves no healthy placement', () => {
    fc.assert(
      fc.property(
        gatewayArb,
        sitesArb,
        fc.constantFrom('a', 'b', 'c', 'd'),
        fc.constantFrom('eu-west', 'ap-south'),
        (gw, sites, zone, region) => {
          const first = placeGateway(gw, [...sites, ...clouds], NOW);
          const newcomer = edge('edge-new', { zone, region, labels: { tier: 'gold' } });
          const second = placeGateway(
            withStatus(gw, first.placements, first.epoch),
            [newcomer, ...sites, ...clouds],
            LATER,
          );
          const before = authMembers(first.placements);
          const after = authMembers(second.placements);
          for (const p of before) expect(after).toContain(p);
          // The newcomer is only added to fill a slot that was empty.
          expect(after.length).toBe(Math.min(gw.spec.authorization.sites ?? 2, before.length + 1));
          expect(second.changed).toBe(after.length !== before.length);
        },
      ),
    );
  });

  it('keeps placements of sites that become unreachable, as Lost', () => {
    fc.assert(
      fc.property(gatewayArb, sitesArb, fc.nat(), (gw, sites, pick) => {
        const first = placeGateway(gw, [...sites, ...clouds], NOW);
        const placed = authMembers(first.placements).map((s) => s.split(':')[0]);
        if (placed.length === 0) return;
        const victim = placed[pick % placed.length];
        const down = sites.map((s) => (s.name === victim ? { ...s, health: 'Unreachable' as const } : s));
        const second = placeGateway(
          withStatus(gw, first.placements, first.epoch),
          [...down, ...clouds],
          LATER,
        );
        expect(authMembers(second.placements)).toContain(`${victim}:Lost`);
        expect(authMembers(second.placements)).toHaveLength(placed.length);
        expect(second.epoch).toBe(first.epoch + 1);
        expect(second.problems.map((p) => p.reason)).toContain('PlacementLost');
      }),
    );
  });
});

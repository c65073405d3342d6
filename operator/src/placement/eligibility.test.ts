import { assessEligibility, eligibleMembers } from './eligibility.js';
import type { EligibilityRequirements } from './eligibility.js';
import { cloud, edge } from './testSupport.js';

const req: EligibilityRequirements = {
  kinds: ['EdgeSite'],
  selectors: { EdgeSite: { matchLabels: { tier: 'gold' } } },
  selectorNames: { EdgeSite: 'siteSelector' },
  authorizationsPerSecond: 100,
};
const gold = { tier: 'gold' };

describe('assessEligibility', () => {
  it('accepts a healthy, ready, uncordoned, matching site with room', () => {
    expect(assessEligibility(edge('a', { labels: gold }), req).eligible).toBe(true);
  });

  it.each([
    ['WrongKind', cloud('c', { labels: gold }), 'CloudCluster c is not a EdgeSite'],
    ['NotSelected', edge('a'), 'a does not match siteSelector tier=gold'],
    ['Cordoned', edge('a', { labels: gold, cordoned: true }), 'a is cordoned'],
    ['Unhealthy', edge('a', { labels: gold, health: 'Suspect' }), 'a is Suspect'],
    ['NotReady', edge('a', { labels: gold, ready: false }), 'a is not Ready'],
    [
      'InsufficientCapacity',
      edge('a', { labels: gold, usedByOthers: { authorizationsPerSecond: 950 } }),
      'a has 50/1000 auth/s free, needs 100',
    ],
  ])('rejects with %s', (reason, member, message) => {
    const result = assessEligibility(member, req);
    expect(result).toMatchObject({ eligible: false, reason, message });
  });

  it('accepts exactly enough free capacity, and members without a capacity limit', () => {
    expect(
      assessEligibility(edge('a', { labels: gold, usedByOthers: { authorizationsPerSecond: 900 } }), req)
        .eligible,
    ).toBe(true);
    expect(
      assessEligibility(cloud('c'), { kinds: ['CloudCluster'], authorizationsPerSecond: 1e6 }).eligible,
    ).toBe(true);
  });

  it('can ignore health and readiness (for placements that already exist)', () => {
    const m = edge('a', { labels: gold, health: 'Unreachable', ready: false });
    expect(assessEligibility(m, req, { ignoreHealth: true }).eligible).toBe(true);
    expect(eligibleMembers([m, edge('b', { labels: gold })], req).map((x) => x.name)).toEqual(['b']);
  });
});

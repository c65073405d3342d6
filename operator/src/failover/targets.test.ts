import type { MemberView } from '../placement/index.js';
import { planContext } from './context.js';
import { chooseFailoverTarget, explainNoTarget } from './targets.js';
import { cloud, edge, gateway } from './testSupport.js';

const now = '2025-06-01T12:00:00Z';
const ctxOf = (members: MemberView[], failover = {}, authorization = {}) =>
  planContext(gateway({ failover, authorization }), members, [], now);
const none = new Set<string>();

describe('chooseFailoverTarget', () => {
  it('ranks along the fallback order relative to the lost member, nearest first', () => {
    const lost = edge('edge-a', { region: 'eu-west', location: { latitude: 48.85, longitude: 2.35 } });
    const members = [
      lost,
      edge('edge-far', { region: 'eu-west', location: { latitude: 43.3, longitude: 5.37 } }),
      edge('edge-near', { region: 'eu-west', location: { latitude: 49.0, longitude: 2.5 } }),
      edge('edge-us', { region: 'us-east' }),
      cloud('cloud-a'),
    ];
    const pick = (failover: object) =>
      chooseFailoverTarget(ctxOf(members, failover), {
        reference: lost,
        occupied: new Set(['EdgeSite/edge-a']),
        spreadWith: [],
      });
    expect(pick({})?.member.name).toBe('edge-near');
    expect(pick({ fallback: ['Cloud', 'AnyEdge'] })?.member.name).toBe('cloud-a');
    expect(pick({ fallback: ['AnyEdge'] })?.member.name).toBe('edge-near');
  });

  it('skips occupied, cordoned, unhealthy and full members, and members awaiting failback unless nothing else is left', () => {
    const members = [
      edge('edge-b', { cordoned: true }),
      edge('edge-c', { health: 'Recovering' }),
      edge('edge-d', { usedByOthers: { authorizationsPerSecond: 950 } }),
      edge('edge-e'),
      edge('edge-f'),
    ];
    const ctx = ctxOf(members);
    expect(
      chooseFailoverTarget(ctx, { occupied: new Set(['EdgeSite/edge-e']), spreadWith: [] })?.member.name,
    ).toBe('edge-f');
    expect(
      chooseFailoverTarget(ctx, { occupied: none, spreadWith: [], awaitingFailback: new Set(['edge-e']) })
        ?.member.name,
    ).toBe('edge-f');
    expect(
      chooseFailoverTarget(ctx, {
        occupied: new Set(['EdgeSite/edge-f']),
        spreadWith: [],
        awaitingFailback: new Set(['edge-e']),
      })?.member.name,
    ).toBe('edge-e');
  });

  it('spreads away from the zones already serving', () => {
    const members = [edge('edge-b', { zone: 'z1' }), edge('edge-c', { zone: 'z2' })];
    const serving = [edge('edge-x', { zone: 'z1' })];
    expect(chooseFailoverTarget(ctxOf(members), { occupied: none, spreadWith: serving })?.member.name).toBe(
      'edge-c',
    );
  });
});

describe('explainNoTarget', () => {
  it('says why each member cannot take over and what to change', () => {
    const members = [
      edge('edge-b', { cordoned: true }),
      edge('edge-c', { health: 'Unreachable' }),
      cloud('cloud-a'),
    ];
    const text = explainNoTarget(ctxOf(members), {
      reference: edge('edge-a'),
      occupied: none,
      spreadWith: [],
    });
    expect(text).toBe(
      'no member along spec.failover.fallback (SameRegionEdge, AnyEdge) can take it: edge-b is cordoned and ' +
        'edge-c is Unreachable; add Cloud to spec.failover.fallback, uncordon sites or bring unhealthy sites back',
    );
  });

  it('suggests AnyEdge when only sites of other regions are eligible', () => {
    const members = [edge('edge-us', { region: 'us-east' })];
    const text = explainNoTarget(ctxOf(members, { fallback: ['SameRegionEdge'] }), {
      reference: edge('edge-a', { region: 'eu-west' }),
      occupied: none,
      spreadWith: [],
    });
    expect(text).toMatch(/add AnyEdge to spec.failover.fallback/);
  });

  it('suggests labelling sites when none matches the selector', () => {
    const text = explainNoTarget(
      ctxOf([edge('edge-b')], {}, { siteSelector: { matchLabels: { tier: 'gold' } } }),
      {
        occupied: none,
        spreadWith: [],
      },
    );
    expect(text).toMatch(/label more EdgeSites to match spec.authorization.siteSelector/);
  });
});

import { distanceKm, fallbackTierOf, rankMembers } from './ranking.js';
import { cloud, edge } from './testSupport.js';

describe('fallbackTierOf', () => {
  it('puts a member in the first tier it belongs to', () => {
    const order = ['SameRegionEdge', 'AnyEdge', 'Cloud'] as const;
    expect(fallbackTierOf(edge('a', { region: 'eu' }), order, 'eu')).toEqual({
      tier: 'SameRegionEdge',
      tierIndex: 0,
    });
    expect(fallbackTierOf(edge('a', { region: 'us' }), order, 'eu')).toEqual({
      tier: 'AnyEdge',
      tierIndex: 1,
    });
    expect(fallbackTierOf(edge('a', { region: 'eu' }), order)).toEqual({ tier: 'AnyEdge', tierIndex: 1 });
    expect(fallbackTierOf(cloud('c'), order, 'eu')).toEqual({ tier: 'Cloud', tierIndex: 2 });
    expect(fallbackTierOf(cloud('c'), ['SameRegionEdge', 'AnyEdge'], 'eu')).toBeUndefined();
    expect(fallbackTierOf(edge('a', { region: 'us' }), ['SameRegionEdge'], 'eu')).toBeUndefined();
  });
});

describe('rankMembers', () => {
  it('orders SameRegionEdge, AnyEdge, Cloud, then by name', () => {
    const members = [
      cloud('c1'),
      edge('z-us', { region: 'us' }),
      edge('b-eu', { region: 'eu' }),
      edge('a-us', { region: 'us' }),
      edge('a-eu', { region: 'eu' }),
    ];
    const ranked = rankMembers(members, {
      fallback: ['SameRegionEdge', 'AnyEdge', 'Cloud'],
      referenceRegion: 'eu',
    });
    expect(ranked.map((r) => `${r.tier}:${r.member.name}`)).toEqual([
      'SameRegionEdge:a-eu',
      'SameRegionEdge:b-eu',
      'AnyEdge:a-us',
      'AnyEdge:z-us',
      'Cloud:c1',
    ]);
  });

  it('prefers the nearest member within a tier when locations are known', () => {
    const paris = { latitude: 48.86, longitude: 2.35 };
    const members = [
      edge('a-berlin', { location: { latitude: 52.52, longitude: 13.4 } }),
      edge('b-lyon', { location: { latitude: 45.76, longitude: 4.84 } }),
      edge('c-nowhere'),
    ];
    const ranked = rankMembers(members, { fallback: ['AnyEdge'], referenceLocation: paris });
    expect(ranked.map((r) => r.member.name)).toEqual(['b-lyon', 'a-berlin', 'c-nowhere']);
  });

  it('computes great-circle distances', () => {
    expect(
      distanceKm({ latitude: 48.86, longitude: 2.35 }, { latitude: 51.51, longitude: -0.13 }),
    ).toBeCloseTo(343, -1);
    expect(distanceKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 0 })).toBe(0);
  });
});

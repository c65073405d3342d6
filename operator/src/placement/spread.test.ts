import fc from 'fast-check';
import { rankMembers } from './ranking.js';
import { selectRankedWithSpread, selectSpread, sharedDomains, spreadDomain } from './spread.js';
import { cloud, edge } from './testSupport.js';

describe('spreadDomain', () => {
  it('qualifies zones by region, and a member without a zone is its own zone', () => {
    expect(spreadDomain(edge('a', { zone: 'z1' }), 'zone')).toBe('zone:eu-west/z1');
    expect(spreadDomain(edge('a', { zone: 'z1', region: 'us' }), 'zone')).toBe('zone:us/z1');
    expect(spreadDomain(edge('a', { zone: undefined }), 'zone')).toBe('member:EdgeSite/a');
    expect(spreadDomain(edge('a', { zone: 'z1' }), 'region')).toBe('region:eu-west');
    expect(spreadDomain(edge('a', { zone: 'z1' }), 'none')).toBe('member:EdgeSite/a');
  });
});

describe('selectSpread', () => {
  const a1 = edge('a1', { zone: 'a' });
  const a2 = edge('a2', { zone: 'a' });
  const b1 = edge('b1', { zone: 'b' });
  const c1 = edge('c1', { zone: 'c' });

  it('takes a second member of a zone only when every zone has one', () => {
    expect(selectSpread([a1, a2, b1, c1], 3, 'zone').map((m) => m.name)).toEqual(['a1', 'b1', 'c1']);
    expect(selectSpread([a1, a2, b1], 3, 'zone').map((m) => m.name)).toEqual(['a1', 'b1', 'a2']);
  });

  it('counts occupied members for their zone', () => {
    expect(selectSpread([a2, b1, c1], 1, 'zone', [a1]).map((m) => m.name)).toEqual(['b1']);
  });

  it('keeps rank order with spreadBy none', () => {
    expect(selectSpread([a1, a2, b1], 2, 'none').map((m) => m.name)).toEqual(['a1', 'a2']);
  });

  it('never returns more than count or more than the candidates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 12 }),
        fc.nat(15),
        (zones, count) => {
          const members = zones.map((z, i) => edge(`s${i}`, { zone: z }));
          const picked = selectSpread(members, count, 'zone');
          expect(picked.length).toBe(Math.min(count, members.length));
          const distinct = new Set(zones).size;
          const pickedZones = new Set(picked.map((m) => m.zone));
          expect(pickedZones.size).toBe(Math.min(picked.length, distinct));
        },
      ),
    );
  });
});

describe('selectRankedWithSpread', () => {
  it('uses a later tier only when the earlier one has no candidate left', () => {
    const ranked = rankMembers([edge('a1', { zone: 'a' }), edge('a2', { zone: 'a' }), cloud('c1')], {
      fallback: ['AnyEdge', 'Cloud'],
    });
    expect(selectRankedWithSpread(ranked, 2, 'zone').map((r) => r.member.name)).toEqual(['a1', 'a2']);
    expect(selectRankedWithSpread(ranked, 3, 'zone').map((r) => r.member.name)).toEqual(['a1', 'a2', 'c1']);
  });
});

describe('sharedDomains', () => {
  it('groups members that share a domain', () => {
    const groups = sharedDomains(
      [edge('b', { zone: 'z' }), edge('a', { zone: 'z' }), edge('c', { zone: 'y' })],
      'zone',
    );
    expect(groups.map((g) => g.map((m) => m.name))).toEqual([['a', 'b']]);
    expect(sharedDomains([edge('a', { zone: 'z' }), edge('b', { zone: 'z' })], 'none')).toEqual([]);
  });
});

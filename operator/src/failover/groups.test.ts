import { groupBySlot, slotRoles, slotRoot } from './groups.js';
import { at, placement } from './testSupport.js';

describe('slots', () => {
  it('groups a home with whatever stands in for it', () => {
    const ps = [
      placement('authorization', 'edge-a', 'Lost'),
      placement('authorization', 'edge-c', 'FailoverTarget', { replacedMember: 'edge-a' }),
      placement('authorization', 'edge-b', 'Active'),
      placement('authorization', 'edge-d', 'Lost', { replacedMember: 'edge-a' }),
      // A home standing in for another slot stays out of its own.
      placement('authorization', 'edge-e', 'FailoverTarget', { replacedMember: 'edge-b' }),
    ];
    expect(slotRoot(ps[1]!)).toBe('edge-a');
    expect(groupBySlot(ps, (p) => p).map((g) => [g.root, g.items.map((p) => p.member)])).toEqual([
      ['edge-a', ['edge-a', 'edge-c', 'edge-d']],
      ['edge-b', ['edge-b', 'edge-e']],
    ]);
  });

  it('picks the primary: a move target, else the staying home, else the newest staying FailoverTarget', () => {
    const home = placement('authorization', 'edge-a', 'Active');
    const older = placement('authorization', 'edge-b', 'FailoverTarget', {
      replacedMember: 'edge-a',
      since: at(0),
    });
    const newer = placement('authorization', 'edge-c', 'FailoverTarget', {
      replacedMember: 'edge-a',
      since: at(5),
    });
    const move = placement('authorization', 'edge-d', 'Active', {
      replacedMember: 'edge-a',
      reason: 'ManualMove',
    });
    const roles = (items: (typeof home)[], leaving: string[] = []) =>
      slotRoles(
        { root: 'edge-a', items },
        (p) => p,
        (p) => leaving.includes(p.member),
      ).primary?.member;
    expect(roles([home, older, newer, move])).toBe('edge-d');
    expect(roles([home, older, newer])).toBe('edge-a');
    expect(roles([home, older, newer], ['edge-a'])).toBe('edge-c');
    expect(roles([home, older, newer], ['edge-a', 'edge-c'])).toBe('edge-b');
    expect(roles([{ ...home, state: 'Lost' }, older])).toBe('edge-b');
    expect(roles([home], ['edge-a'])).toBeUndefined();
  });
});

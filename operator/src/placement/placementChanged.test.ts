import { placementChanged } from './placementChanged.js';
import { placement } from './testSupport.js';

describe('placementChanged', () => {
  const a = placement('authorization', 'edge-a', 'Active');
  const b = placement('authorization', 'edge-b', 'Active');

  it('ignores order, replicas, readiness, timestamps and reasons', () => {
    const a2 = {
      ...a,
      replicas: 5,
      readyReplicas: 0,
      since: '2030-01-01T00:00:00Z',
      reason: 'Retained',
      message: 'x',
    };
    expect(placementChanged([a, b], [b, a2])).toBe(false);
    expect(placementChanged(undefined, [])).toBe(false);
  });

  it('sees members joining or leaving and state changes', () => {
    expect(placementChanged([a], [a, b])).toBe(true);
    expect(placementChanged([a, b], [a])).toBe(true);
    expect(placementChanged([a], [{ ...a, state: 'Lost' }])).toBe(true);
    expect(placementChanged([a], [{ ...a, component: 'analytics' }])).toBe(true);
    expect(placementChanged([a], [{ ...a, memberKind: 'CloudCluster' }])).toBe(true);
  });

  it('sees a failover target standing in for another member', () => {
    const t = placement('authorization', 'edge-c', 'FailoverTarget', { replacedMember: 'edge-a' });
    expect(placementChanged([t], [{ ...t, replacedMember: 'edge-b' }])).toBe(true);
  });
});

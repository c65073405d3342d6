import { servingRoutes } from './routes.js';
import { cloud, edge, placement, signals } from './testSupport.js';

describe('servingRoutes', () => {
  const members = [edge('edge-a'), edge('edge-b'), edge('edge-c'), edge('edge-d'), cloud('cloud-a')];

  it('lists available serving placements, Active first, then FailoverTarget, each by name', () => {
    const placements = [
      placement('authorization', 'edge-c', 'FailoverTarget', { replacedMember: 'edge-x' }),
      placement('authorization', 'edge-b', 'Active'),
      placement('authorization', 'edge-a', 'Active'),
      placement('authorization', 'cloud-a', 'FailoverTarget', {
        memberKind: 'CloudCluster',
        replacedMember: 'edge-y',
      }),
    ];
    const routes = servingRoutes(
      placements,
      members,
      signals({ 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'up', 'cloud-a': 'up' }),
    );
    expect(routes).toEqual([
      { member: 'edge-a', endpoint: 'https://edge-a.pay.example.com', priority: 0 },
      { member: 'edge-b', endpoint: 'https://edge-b.pay.example.com', priority: 1 },
      { member: 'cloud-a', endpoint: 'https://cloud-a.ledger.example.com', priority: 2 },
      { member: 'edge-c', endpoint: 'https://edge-c.pay.example.com', priority: 3 },
    ]);
  });

  it('leaves out Lost, Draining and Standby placements, other components, and workloads that are not available', () => {
    const placements = [
      placement('authorization', 'edge-a', 'Lost'),
      placement('authorization', 'edge-b', 'Draining'),
      placement('authorization', 'edge-c', 'FailoverTarget', { replacedMember: 'edge-a' }),
      placement('authorization', 'edge-d', 'Active'),
      placement('ledger', 'cloud-a', 'Active'),
    ];
    const all = signals({ 'edge-a': 'up', 'edge-b': 'up', 'edge-c': 'down', 'edge-d': 'up' });
    expect(servingRoutes(placements, members, all).map((r) => r.member)).toEqual(['edge-d']);
    // A replacement joins as soon as it is available.
    const later = signals({ 'edge-c': 'up', 'edge-d': 'up' });
    expect(servingRoutes(placements, members, later).map((r) => r.member)).toEqual(['edge-d', 'edge-c']);
  });

  it('drops a site at once when it is unreachable or unobserved, or has no endpoint', () => {
    const placements = [
      placement('authorization', 'edge-a', 'Active'),
      placement('authorization', 'edge-b', 'Active'),
    ];
    const down = [edge('edge-a', { health: 'Unreachable' }), edge('edge-b', { endpoint: undefined })];
    expect(servingRoutes(placements, down, signals({ 'edge-a': 'up', 'edge-b': 'up' }))).toEqual([]);
    expect(servingRoutes(placements, members, signals({ 'edge-a': 'unobserved', 'edge-b': 'gone' }))).toEqual(
      [],
    );
  });
});

import type { Placement } from '../api/index.js';
import { placeGateway } from './placeGateway.js';
import { cloud, edge, gateway, placement, withStatus } from './testSupport.js';
import type { MemberView, PlacementResult } from './types.js';

const NOW = '2025-06-01T12:00:00Z';
const LATER = '2025-06-01T12:05:00Z';
const clouds = [cloud('cloud-a'), cloud('cloud-b')];

function auth(result: PlacementResult): Placement[] {
  return result.placements.filter((p) => p.component === 'authorization');
}
function names(ps: readonly Placement[]): string[] {
  return ps.map((p) => `${p.member}:${p.state}`);
}
function reasons(result: PlacementResult): string[] {
  return result.problems.map((p) => p.reason);
}

describe('placeGateway: authorization', () => {
  it('places on `sites` sites, one per zone, by name, with a reason and a message', () => {
    const members = [
      edge('edge-c', { zone: 'eu-west-b' }),
      edge('edge-a', { zone: 'eu-west-a', usedByOthers: { authorizationsPerSecond: 100 } }),
      edge('edge-b', { zone: 'eu-west-a' }),
      ...clouds,
    ];
    const result = placeGateway(gateway(), members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-c:Active']);
    expect(auth(result)[0]).toEqual({
      component: 'authorization',
      member: 'edge-a',
      memberKind: 'EdgeSite',
      state: 'Active',
      replicas: 2,
      readyReplicas: 0,
      since: NOW,
      reason: 'Selected',
      message: 'matches siteSelector, zone eu-west-a, 900/1000 auth/s free',
    });
    expect(result.problems).toEqual([]);
    expect(result.changed).toBe(true);
    expect(result.epoch).toBe(1);
  });

  it('is idempotent: its own result fed back changes nothing and keeps the epoch', () => {
    const members = [edge('edge-a'), edge('edge-b'), edge('edge-c'), ...clouds];
    const first = placeGateway(gateway(), members, NOW);
    const second = placeGateway(withStatus(gateway(), first.placements, first.epoch), members, LATER);
    expect(second.changed).toBe(false);
    expect(second.epoch).toBe(first.epoch);
    expect(names(second.placements)).toEqual(names(first.placements));
    expect(second.placements.every((p) => p.since === NOW)).toBe(true);
    expect(auth(second).every((p) => p.reason === 'Retained')).toBe(true);
  });

  it('honours siteSelector and says what to change when nothing matches', () => {
    const gw = gateway({ authorization: { siteSelector: { matchLabels: { tier: 'gold' } } } });
    const result = placeGateway(gw, [edge('edge-a'), ...clouds], NOW);
    expect(auth(result)).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      component: 'authorization',
      severity: 'Error',
      reason: 'NoEligibleSites',
    });
    expect(result.problems[0]?.message).toContain(
      'no EdgeSite matches spec.authorization.siteSelector (tier=gold)',
    );
    expect(result.problems[0]?.message).toContain('label more EdgeSites');
  });

  it('flags a partial placement and lists why the other sites cannot take it', () => {
    const members = [
      edge('edge-a'),
      edge('edge-b', { cordoned: true }),
      edge('edge-c', { health: 'Suspect' }),
      ...clouds,
    ];
    const result = placeGateway(gateway({ authorization: { sites: 3 } }), members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active']);
    expect(result.problems[0]?.reason).toBe('NotEnoughEligibleSites');
    expect(result.problems[0]?.message).toBe(
      'authorization is placed on 1 of 3 wanted: 2 matching EdgeSites cannot take it: edge-b is cordoned and ' +
        'edge-c is Suspect; uncordon sites, bring unhealthy members back or lower spec.authorization.sites',
    );
  });

  it('reports InsufficientCapacity when capacity is what stops it', () => {
    const members = [edge('edge-a', { usedByOthers: { authorizationsPerSecond: 950 } }), ...clouds];
    const result = placeGateway(gateway({ authorization: { sites: 1 } }), members, NOW);
    expect(auth(result)).toEqual([]);
    expect(result.problems[0]?.reason).toBe('InsufficientCapacity');
    expect(result.problems[0]?.message).toContain('edge-a has 50/1000 auth/s free, needs 100');
    expect(result.problems[0]?.message).toContain('spec.capacity.authorizationsPerSecond');
  });

  it('warns when the zones cannot all be different', () => {
    const members = [edge('edge-a', { zone: 'z1' }), edge('edge-b', { zone: 'z1' }), ...clouds];
    const result = placeGateway(gateway(), members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(result.problems).toMatchObject([{ reason: 'SpreadUnsatisfiable', severity: 'Warning' }]);
    expect(result.problems[0]?.message).toContain('edge-a and edge-b share zone z1');
    expect(result.problems[0]?.message).toContain('spec.authorization.spreadBy to none');
  });

  it('keeps placements that share a zone for stability, and says a better zone exists', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Active'),
      ],
      epoch: 4,
    });
    const members = [
      edge('edge-a', { zone: 'z1' }),
      edge('edge-b', { zone: 'z1' }),
      edge('edge-c', { zone: 'z2' }),
      ...clouds,
    ];
    const result = placeGateway(gw, members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-b:Active']);
    expect(reasons(result)).toEqual(['SpreadSkewed']);
    expect(result.problems[0]?.message).toContain('edge-c in another zone is eligible');
  });

  it('keeps an unreachable site as Lost, holding its slot, and bumps the epoch', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Active'),
      ],
      epoch: 4,
    });
    const members = [
      edge('edge-a'),
      edge('edge-b', { health: 'Unreachable', healthSince: '2025-06-01T11:59:50Z', ready: false }),
      edge('edge-c'),
      ...clouds,
    ];
    const result = placeGateway(gw, members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-b:Lost']);
    const lost = auth(result)[1];
    expect(lost).toMatchObject({ reason: 'MemberUnreachable', since: NOW, readyReplicas: 2 });
    expect(lost?.message).toContain('Unreachable since 2025-06-01T11:59:50Z');
    expect(result.problems).toMatchObject([{ reason: 'PlacementLost', severity: 'Error' }]);
    expect(result.changed).toBe(true);
    expect(result.epoch).toBe(5);
    expect(result.removed).toEqual([]);
  });

  it('does not mark a merely Suspect or not-Ready site Lost (the failover planner decides)', () => {
    const gw = gateway({
      placements: [placement('authorization', 'edge-a', 'Active'), placement('ledger', 'cloud-a', 'Active')],
      authorization: { sites: 1 },
    });
    const result = placeGateway(
      gw,
      [edge('edge-a', { health: 'Suspect', ready: false }), edge('edge-b'), ...clouds],
      NOW,
    );
    expect(names(auth(result))).toEqual(['edge-a:Active']);
    expect(result.changed).toBe(false);
  });

  it('brings a Lost site back to Active once Healthy and Ready, not before', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-b', 'Lost', { since: '2025-06-01T11:00:00Z' }),
        placement('ledger', 'cloud-a', 'Active'),
      ],
      authorization: { sites: 1 },
      epoch: 5,
    });
    const recovering = placeGateway(
      gw,
      [edge('edge-a'), edge('edge-b', { health: 'Recovering' }), ...clouds],
      NOW,
    );
    expect(names(auth(recovering))).toEqual(['edge-b:Lost']);
    expect(auth(recovering)[0]).toMatchObject({ reason: 'MemberRecovering', since: '2025-06-01T11:00:00Z' });
    expect(recovering.changed).toBe(false);

    const healthy = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(names(auth(healthy))).toEqual(['edge-b:Active']);
    expect(auth(healthy)[0]).toMatchObject({ reason: 'Recovered', since: NOW });
    expect(healthy.epoch).toBe(6);
  });

  it('carries failover targets through, and a replaced Lost site does not hold a slot', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Lost'),
        placement('authorization', 'edge-c', 'FailoverTarget', {
          replacedMember: 'edge-b',
          reason: 'NearestHealthySite',
        }),
        placement('ledger', 'cloud-a', 'Active'),
      ],
    });
    const members = [edge('edge-a'), edge('edge-b'), edge('edge-c'), edge('edge-d'), ...clouds];
    const result = placeGateway(gw, members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-c:FailoverTarget', 'edge-b:Lost']);
    expect(auth(result)[1]).toMatchObject({ replacedMember: 'edge-b', reason: 'NearestHealthySite' });
    expect(auth(result)[2]).toMatchObject({ reason: 'AwaitingFailback' });
    expect(result.changed).toBe(false);
  });

  it('carries Draining placements through without counting them', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Draining'),
      ],
    });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), edge('edge-c'), ...clouds], NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-c:Active', 'edge-b:Draining']);
  });

  it('replaces a cordoned site and reports the removal', () => {
    const gw = gateway({
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Active'),
      ],
    });
    const result = placeGateway(
      gw,
      [edge('edge-a'), edge('edge-b', { cordoned: true }), edge('edge-c'), ...clouds],
      NOW,
    );
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-c:Active']);
    expect(result.removed).toMatchObject([{ reason: 'Cordoned', placement: { member: 'edge-b' } }]);
  });

  it('removes sites that no longer match or no longer exist', () => {
    const gw = gateway({
      authorization: { siteSelector: { matchLabels: { tier: 'gold' } } },
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'gone', 'Lost'),
      ],
    });
    const result = placeGateway(
      gw,
      [edge('edge-a'), edge('edge-g', { labels: { tier: 'gold' } }), ...clouds],
      NOW,
    );
    expect(names(auth(result))).toEqual(['edge-g:Active']);
    expect(result.removed.map((r) => `${r.placement.member}:${r.reason}`)).toEqual([
      'edge-a:NotSelected',
      'gone:MemberNotFound',
    ]);
  });

  it('scales down when sites is lowered, dropping Lost ones first, keeping the spread', () => {
    const gw = gateway({
      authorization: { sites: 2 },
      placements: ['edge-a', 'edge-b', 'edge-c']
        .map((n) => placement('authorization', n, 'Active'))
        .concat(placement('authorization', 'edge-d', 'Lost')),
    });
    const members = [
      edge('edge-a', { zone: 'z1' }),
      edge('edge-b', { zone: 'z1' }),
      edge('edge-c', { zone: 'z2' }),
      edge('edge-d', { health: 'Unreachable' }),
      ...clouds,
    ];
    const result = placeGateway(gw, members, NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active', 'edge-c:Active']);
    expect(result.removed.map((r) => `${r.placement.member}:${r.reason}`)).toEqual([
      'edge-b:ScaledDown',
      'edge-d:ScaledDown',
    ]);
  });

  it('falls back to a CloudCluster when allowed, and says so', () => {
    const gw = gateway({ failover: { fallback: ['SameRegionEdge', 'AnyEdge', 'Cloud'] } });
    const result = placeGateway(gw, [edge('edge-a'), ...clouds], NOW);
    expect(auth(result).map((p) => `${p.memberKind}/${p.member}:${p.reason}`)).toEqual([
      'EdgeSite/edge-a:Selected',
      'CloudCluster/cloud-a:CloudFallback',
    ]);
    expect(reasons(result)).toEqual(['FallbackPlacement']);
    expect(
      placeGateway(gateway(), [edge('edge-a'), ...clouds], NOW).placements.some(
        (p) => p.memberKind === 'CloudCluster' && p.component === 'authorization',
      ),
    ).toBe(false);
  });

  it('keeps existing placements and places nothing new with an invalid selector', () => {
    const gw = gateway({
      authorization: { siteSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] } },
      placements: [placement('authorization', 'edge-a', 'Active')],
    });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(names(auth(result))).toEqual(['edge-a:Active']);
    expect(reasons(result)).toEqual(['InvalidSiteSelector']);
  });

  it('tells EdgeSites and CloudClusters of the same name apart', () => {
    const gw = gateway({ authorization: { sites: 1 }, ledger: { primary: 'shared' } });
    const result = placeGateway(gw, [edge('shared'), cloud('shared')], NOW);
    expect(result.placements.map((p) => `${p.component}:${p.memberKind}/${p.member}`)).toEqual([
      'authorization:EdgeSite/shared',
      'ledger:CloudCluster/shared',
    ]);
  });
});

describe('placeGateway: ledger', () => {
  it('places the primary Active and the standbys Standby', () => {
    const gw = gateway({ ledger: { primary: 'cloud-a', standbys: ['cloud-b'], replicas: 3 } });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    const ledger = result.placements.filter((p) => p.component === 'ledger');
    expect(ledger).toMatchObject([
      { member: 'cloud-a', state: 'Active', reason: 'PrimaryConfigured', replicas: 3 },
      { member: 'cloud-b', state: 'Standby', reason: 'StandbyConfigured', replicas: 3 },
    ]);
    expect(ledger[0]?.message).toBe('spec.ledger.primary, region eu-central, health Healthy');
  });

  it('reports a missing primary and a missing standby, with what to change', () => {
    const gw = gateway({ ledger: { primary: 'edge-a', standbys: ['nope'] } });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(result.placements.filter((p) => p.component === 'ledger')).toEqual([]);
    expect(result.problems).toMatchObject([
      {
        reason: 'PrimaryNotFound',
        severity: 'Error',
        message: expect.stringContaining('edge-a is an EdgeSite'),
      },
      {
        reason: 'StandbyNotFound',
        severity: 'Warning',
        message: expect.stringContaining('CloudCluster nope does not exist'),
      },
    ]);
  });

  it('keeps an unreachable primary as Lost and says payments cannot be booked', () => {
    const gw = gateway({ placements: [placement('ledger', 'cloud-a', 'Active')] });
    const result = placeGateway(
      gw,
      [edge('edge-a'), edge('edge-b'), cloud('cloud-a', { health: 'Unreachable' })],
      NOW,
    );
    expect(result.placements.filter((p) => p.component === 'ledger')).toMatchObject([
      { member: 'cloud-a', state: 'Lost' },
    ]);
    expect(result.problems).toMatchObject([{ reason: 'PrimaryUnreachable', severity: 'Error' }]);
  });

  it('removes members no longer named', () => {
    const gw = gateway({
      placements: [placement('ledger', 'cloud-a', 'Active'), placement('ledger', 'cloud-b', 'Standby')],
    });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(result.removed).toMatchObject([
      { reason: 'NoLongerConfigured', placement: { member: 'cloud-b' } },
    ]);
  });
});

describe('placeGateway: analytics', () => {
  const analytics = {
    image: 'ghcr.io/paygrid/analytics:0.1.0',
    cloudSelector: { matchLabels: { analytics: 'yes' } },
  };
  const yes = { analytics: 'yes' };

  it('picks the first eligible matching CloudCluster by name', () => {
    const members = [
      edge('edge-a'),
      edge('edge-b'),
      cloud('cloud-a'),
      cloud('cloud-c', { labels: yes }),
      cloud('cloud-b', { labels: yes, health: 'Suspect' }),
    ];
    const result = placeGateway(gateway({ analytics }), members, NOW);
    expect(result.placements.filter((p) => p.component === 'analytics')).toMatchObject([
      { member: 'cloud-c', memberKind: 'CloudCluster', state: 'Active', reason: 'Selected', replicas: 1 },
    ]);
  });

  it('keeps its CloudCluster even when one earlier by name appears', () => {
    const gw = gateway({ analytics, placements: [placement('analytics', 'cloud-c', 'Active')] });
    const members = [
      edge('edge-a'),
      edge('edge-b'),
      cloud('cloud-a', { labels: yes }),
      cloud('cloud-c', { labels: yes }),
    ];
    expect(
      placeGateway(gw, members, NOW).placements.filter((p) => p.component === 'analytics'),
    ).toMatchObject([{ member: 'cloud-c' }]);
  });

  it('reports NoCloudClusters', () => {
    const result = placeGateway(gateway({ analytics }), [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(result.problems).toMatchObject([{ component: 'analytics', reason: 'NoCloudClusters' }]);
    expect(result.problems[0]?.message).toContain(
      'no CloudCluster matches spec.analytics.cloudSelector (analytics=yes)',
    );
  });

  it('removes analytics placements when spec.analytics goes away', () => {
    const gw = gateway({ placements: [placement('analytics', 'cloud-a', 'Active')] });
    const result = placeGateway(gw, [edge('edge-a'), edge('edge-b'), ...clouds], NOW);
    expect(result.removed).toMatchObject([{ reason: 'ComponentRemoved' }]);
  });
});

describe('placeGateway: paused', () => {
  it('changes nothing while spec.failover.paused, and says what it holds back', () => {
    const current = [
      placement('authorization', 'edge-a', 'Active'),
      placement('ledger', 'cloud-a', 'Active'),
    ];
    const gw = gateway({ failover: { paused: true }, placements: current, epoch: 3 });
    const members = [edge('edge-a', { health: 'Unreachable' }), edge('edge-b'), ...clouds];
    const result = placeGateway(gw, members, NOW);
    expect(result.placements).toEqual(current);
    expect(result).toMatchObject({ changed: false, epoch: 3, removed: [] });
    expect(result.problems[0]).toEqual({
      component: 'authorization',
      severity: 'Warning',
      reason: 'PlacementPaused',
      message:
        'spec.failover.paused is true, so placements are not changed; held back: add edge-b as Active, ' +
        'edge-a Active → Lost; set it to false to apply',
    });
  });
});

describe('placeGateway: every placement explains itself', () => {
  it('gives CamelCase reasons and non-empty messages', () => {
    const members: MemberView[] = [edge('edge-a'), edge('edge-b', { health: 'Unreachable' }), ...clouds];
    const gw = gateway({
      analytics: { image: 'ghcr.io/paygrid/analytics:0.1.0' },
      ledger: { primary: 'cloud-a', standbys: ['cloud-b'] },
      placements: [placement('authorization', 'edge-b', 'Active')],
    });
    const result = placeGateway(gw, members, NOW);
    for (const p of result.placements) {
      expect(p.reason).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(p.message).not.toBe('');
    }
    for (const p of [...result.problems, ...result.removed]) {
      expect(p.reason).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(p.message).not.toBe('');
    }
  });
});

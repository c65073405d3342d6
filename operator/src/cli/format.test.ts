import {
  age,
  gatewaysTable,
  humanDuration,
  placementsTable,
  renderTable,
  sitesTable,
  statusView,
} from './format.js';
import { cloudCluster, edgeSite, NOW, placedGateway } from './testSupport.js';

const now = new Date(NOW);
const sites = {
  edgeSites: [
    edgeSite('edge-b', { health: 'Unreachable' }),
    edgeSite('edge-a', { cordoned: true, placements: 1 }),
  ],
  cloudClusters: [cloudCluster('cloud-a')],
};

describe('renderTable', () => {
  it('aligns columns three spaces apart, without trailing blanks', () => {
    expect(
      renderTable(
        ['NAME', 'X'],
        [
          ['a', '1'],
          ['longer', ''],
        ],
      ),
    ).toBe('NAME     X\na        1\nlonger');
  });
});

describe('humanDuration', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [192_000, '3m12s'],
    [300_000, '5m'],
    [45 * 60_000, '45m'],
    [(5 * 60 + 3) * 60_000, '5h3m'],
    [20 * 3600_000, '20h'],
    [(3 * 24 + 5) * 3600_000, '3d5h'],
    [45 * 24 * 3600_000, '45d'],
    [(3 * 365 + 10) * 24 * 3600_000, '3y10d'],
    [9 * 365 * 24 * 3600_000, '9y'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));

  it('ages a time, or says unknown', () => {
    expect(age('2026-11-25T02:59:00Z', now)).toBe('60s');
    expect(age(undefined, now)).toBe('<unknown>');
    expect(age('garbage', now)).toBe('<unknown>');
  });
});

describe('status tables', () => {
  const gw = placedGateway({
    edgeSites: [edgeSite('edge-a'), edgeSite('edge-b')],
    cloudClusters: [cloudCluster('cloud-a')],
  });

  it('lists gateways', () => {
    expect(
      gatewaysTable({ ...sites, gateways: [gw], allNamespaces: false, namespace: 'payments', now }),
    ).toBe(
      [
        'GATEWAY    READY   SERVING         EPOCH   FAILEDOVER   MODE        AGE',
        'checkout   True    edge-a,edge-b   1       False        Automatic   30m',
      ].join('\n'),
    );
    expect(gatewaysTable({ ...sites, gateways: [gw], allNamespaces: true, now }).split('\n')[0]).toMatch(
      /^NAMESPACE {3}GATEWAY/,
    );
    expect(gatewaysTable({ ...sites, gateways: [], allNamespaces: false, namespace: 'payments', now })).toBe(
      'No PaymentGateways found in namespace payments.',
    );
  });

  it('lists sites, EdgeSites first, marking cordoned ones', () => {
    expect(sitesTable({ ...sites, now })).toBe(
      [
        'SITE      KIND           REGION    ZONE          HEALTH             READY   PLACEMENTS   VERSION         AGE',
        'edge-a    EdgeSite       eu-west   edge-a-zone   Healthy,Cordoned   False   1            v1.33.4+k3s1    60m',
        'edge-b    EdgeSite       eu-west   edge-b-zone   Unreachable        False   0            v1.33.4+k3s1    60m',
        'cloud-a   CloudCluster   eu-west   <none>        Healthy            True    2            v1.33.1-eks-1   120m',
      ].join('\n'),
    );
  });

  it('lists placements with state, replicas, reason and since', () => {
    const table = placementsTable({ ...sites, gateways: [gw], allNamespaces: false, now });
    expect(table).toBe(
      [
        'GATEWAY    COMPONENT       MEMBER    STATE    READY   REASON              SINCE',
        'checkout   authorization   edge-a    Active   0/2     Selected            0s',
        'checkout   authorization   edge-b    Active   0/2     Selected            0s',
        'checkout   ledger          cloud-a   Active   0/1     PrimaryConfigured   0s',
      ].join('\n'),
    );
    const standIn = {
      ...gw,
      status: {
        ...gw.status,
        placements: [
          {
            component: 'authorization' as const,
            member: 'edge-c',
            memberKind: 'EdgeSite' as const,
            state: 'FailoverTarget' as const,
            replacedMember: 'edge-a',
            since: '2026-11-25T02:55:00Z',
          },
        ],
      },
    };
    expect(placementsTable({ ...sites, gateways: [standIn], allNamespaces: true, now }).split('\n')[1]).toBe(
      'payments    checkout   authorization   edge-c   FailoverTarget (for edge-a)   <none>   <none>   5m',
    );
  });

  it('puts the three tables together', () => {
    const view = statusView({ ...sites, gateways: [gw], allNamespaces: false, now });
    expect(view.split('\n\n')).toHaveLength(3);
    expect(statusView({ ...sites, gateways: [], allNamespaces: true, now }).split('\n\n')).toHaveLength(2);
  });
});

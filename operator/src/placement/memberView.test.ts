import type { CloudCluster, EdgeSite } from '../api/index.js';
import {
  authorizationReservations,
  cloudClusterView,
  edgeSiteView,
  memberChangeMattersToGateways,
} from './memberView.js';
import { gateway, placement } from './testSupport.js';

const site: EdgeSite = {
  apiVersion: 'paygrid.io/v1alpha1',
  kind: 'EdgeSite',
  metadata: { name: 'edge-a', labels: { tier: 'gold' } },
  spec: {
    region: 'eu-west',
    zone: 'eu-west-a',
    kubeconfigSecretRef: { name: 'edge-a' },
    endpoint: 'https://edge-a.pay.example.com',
    location: { latitude: 48.8, longitude: 2.3 },
  },
  status: {
    health: 'Healthy',
    healthSince: '2025-01-01T00:00:00Z',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Probed',
        message: '',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      },
    ],
  },
};

describe('edgeSiteView', () => {
  it('maps spec and status, with CRD defaults for what is missing', () => {
    expect(edgeSiteView(site, 250)).toEqual({
      name: 'edge-a',
      kind: 'EdgeSite',
      region: 'eu-west',
      zone: 'eu-west-a',
      labels: { tier: 'gold' },
      health: 'Healthy',
      healthSince: '2025-01-01T00:00:00Z',
      ready: true,
      cordoned: false,
      capacity: { authorizationsPerSecond: 1000 },
      usedByOthers: { authorizationsPerSecond: 250 },
      endpoint: 'https://edge-a.pay.example.com',
      location: { latitude: 48.8, longitude: 2.3 },
    });
  });

  it('treats a site never probed as Unknown and not Ready', () => {
    const v = edgeSiteView({ ...site, status: undefined });
    expect(v.health).toBe('Unknown');
    expect(v.ready).toBe(false);
  });
});

describe('cloudClusterView', () => {
  it('has no capacity limit and is never cordoned', () => {
    const cc: CloudCluster = {
      metadata: { name: 'cloud-a' },
      spec: { region: 'eu-central' },
      status: { health: 'Suspect' },
    };
    const v = cloudClusterView(cc);
    expect(v).toMatchObject({
      name: 'cloud-a',
      kind: 'CloudCluster',
      health: 'Suspect',
      ready: false,
      cordoned: false,
    });
    expect(v.capacity).toBeUndefined();
  });
});

describe('authorizationReservations', () => {
  it('sums what other gateways reserve per member, leaving out the one being placed', () => {
    const a = gateway({
      name: 'a',
      authorization: { authorizationsPerSecond: 300 },
      placements: [
        placement('authorization', 'edge-a', 'Active'),
        placement('authorization', 'edge-b', 'Lost'),
        placement('ledger', 'cloud-a', 'Active'),
      ],
    });
    const b = gateway({ name: 'b', placements: [placement('authorization', 'edge-a', 'Active')] });
    const c = gateway({
      name: 'c',
      authorization: { authorizationsPerSecond: 5 },
      placements: [placement('authorization', 'edge-a', 'Active')],
    });
    const reserved = authorizationReservations([a, b, c], { namespace: 'payments', name: 'c' });
    expect(Object.fromEntries(reserved)).toEqual({ 'EdgeSite/edge-a': 400, 'EdgeSite/edge-b': 300 });
  });
});

describe('memberChangeMattersToGateways', () => {
  const withStatus = (s: Partial<NonNullable<EdgeSite['status']>>): EdgeSite => ({
    ...site,
    status: { ...site.status!, ...s },
  });

  it('ignores a status rewrite of placements held and probe figures', () => {
    const next = withStatus({ placements: 100, lastProbeLatencyMilliseconds: 62 } as never);
    expect(memberChangeMattersToGateways(site, next)).toBe(false);
  });

  it('sees health, Ready, labels and spec (generation) changes', () => {
    expect(memberChangeMattersToGateways(site, withStatus({ health: 'Unreachable' }))).toBe(true);
    const notReady = withStatus({ conditions: [{ ...site.status!.conditions![0]!, status: 'False' }] });
    expect(memberChangeMattersToGateways(site, notReady)).toBe(true);
    const relabelled: EdgeSite = { ...site, metadata: { ...site.metadata, labels: { tier: 'silver' } } };
    expect(memberChangeMattersToGateways(site, relabelled)).toBe(true);
    const cordoned: EdgeSite = { ...site, metadata: { ...site.metadata, generation: 2 } };
    expect(memberChangeMattersToGateways(site, cordoned)).toBe(true);
  });
});

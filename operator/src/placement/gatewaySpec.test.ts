import { resolveGatewaySpec } from './gatewaySpec.js';
import { gateway } from './testSupport.js';

describe('resolveGatewaySpec', () => {
  it('fills in the CRD defaults', () => {
    const spec = resolveGatewaySpec(gateway());
    expect(spec).toEqual({
      namespace: 'payments',
      name: 'checkout',
      authorization: {
        image: 'ghcr.io/paygrid/authorization:0.1.0',
        replicas: 2,
        siteSelector: {},
        sites: 2,
        spreadBy: 'zone',
        authorizationsPerSecond: 100,
        standIn: {
          floorLimitMinor: 5000,
          maxOfflineCount: 100,
          maxOfflineAmountMinor: 100000,
          currency: 'EUR',
        },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      },
      ledger: {
        image: 'ghcr.io/paygrid/ledger:0.1.0',
        replicas: 1,
        primary: 'cloud-a',
        standbys: [],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      },
      failover: {
        mode: 'Automatic',
        detectionWindowSeconds: 6,
        fallback: ['SameRegionEdge', 'AnyEdge'],
        failbackStabilizationSeconds: 60,
        paused: false,
      },
    });
  });

  it('keeps what is set, and drops the primary and duplicates from standbys', () => {
    const spec = resolveGatewaySpec(
      gateway({
        authorization: { resources: { limits: { cpu: 2 } } },
        ledger: { primary: 'a', standbys: ['b', 'a', 'b', 'c'], databaseSecretRef: { name: 'db' } },
        analytics: { image: 'x/y' },
      }),
    );
    expect(spec.authorization.resources.limits).toEqual({ cpu: '2', memory: '256Mi' });
    expect(spec.ledger.standbys).toEqual(['b', 'c']);
    expect(spec.ledger.databaseSecretRef).toEqual({ name: 'db', key: 'url' });
    expect(spec.analytics).toMatchObject({ image: 'x/y', replicas: 1, cloudSelector: {} });
  });
});

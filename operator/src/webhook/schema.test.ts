import { crdsByKind } from '../api/index.js';
import { SchemaValidator, createAjv, pointerToField } from './schema.js';
import { cloudCluster, edgeSite, gateway } from './testdata/fixtures.js';

const validator = new SchemaValidator();

describe('SchemaValidator', () => {
  it('compiles the generated CRD schemas themselves (no second copy)', () => {
    expect(crdsByKind.EdgeSite.schema).toBeDefined();
    expect(validator.validate('EdgeSite', edgeSite('edge-a'))).toEqual([]);
    expect(validator.validate('CloudCluster', cloudCluster('cloud-eu'))).toEqual([]);
    expect(
      validator.validate('PaymentGateway', gateway('checkout', { placements: [{ member: 'edge-a' }] })),
    ).toEqual([]);
  });

  it('knows the int32 and int64 formats', () => {
    const ajv = createAjv();
    const int32 = ajv.compile({ type: 'integer', format: 'int32' });
    const int64 = ajv.compile({ type: 'integer', format: 'int64' });
    expect([int32(2 ** 31 - 1), int32(-(2 ** 31)), int32(2 ** 31)]).toEqual([true, true, false]);
    expect([int64(2 ** 40), int64(2 ** 60)]).toEqual([true, false]);
    const gw = gateway('checkout') as unknown as { spec: { authorization: Record<string, unknown> } };
    gw.spec.authorization.replicas = 2 ** 31;
    expect(validator.validate('PaymentGateway', gw)).toEqual([
      { field: 'spec.authorization.replicas', message: 'must be <= 100' },
      {
        field: 'spec.authorization.replicas',
        message: 'must be a whole number from -2147483648 to 2147483647',
      },
    ]);
  });

  it('checks date-time formats', () => {
    const gw = gateway('checkout', { placements: [{ member: 'edge-a', since: 'yesterday' }] });
    expect(validator.validate('PaymentGateway', gw)).toEqual([
      {
        field: 'status.placements[0].since',
        message: 'must be an RFC 3339 date-time, e.g. 2025-01-31T12:00:00Z',
      },
    ]);
  });

  it('explains quantities (int-or-string) in one message', () => {
    const gw = gateway('checkout') as unknown as {
      spec: { authorization: { resources: { limits: Record<string, unknown> } } };
    };
    gw.spec.authorization.resources.limits.cpu = true;
    expect(validator.validate('PaymentGateway', gw)).toEqual([
      {
        field: 'spec.authorization.resources.limits.cpu',
        message: 'must be a number or a quantity string (e.g. 100m, 128Mi)',
      },
    ]);
  });

  it('names missing fields and types', () => {
    expect(
      validator.validate('CloudCluster', { apiVersion: 'paygrid.io/v1alpha1', kind: 'CloudCluster' }),
    ).toEqual([{ field: 'spec', message: 'is required' }]);
    expect(
      validator.validate('EdgeSite', { spec: { region: 5, endpoint: 'x', kubeconfigSecretRef: {} } }),
    ).toEqual(
      expect.arrayContaining([
        { field: 'spec.region', message: 'must be a string' },
        { field: 'spec.kubeconfigSecretRef.name', message: 'is required' },
      ]),
    );
  });
});

describe('pointerToField', () => {
  it.each([
    ['', ''],
    ['/spec/region', 'spec.region'],
    ['/status/placements/3/since', 'status.placements[3].since'],
    ['/metadata/labels/paygrid.io~1tier', 'metadata.labels["paygrid.io/tier"]'],
  ])('%s -> %s', (pointer, field) => expect(pointerToField(pointer)).toBe(field));
});

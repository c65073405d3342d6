import type { PaymentGateway, Placement } from '../api/index.js';
import { gatewaysAffectedByMember } from './affected-gateways.js';

const gw = (name: string, ready: boolean, placements: Partial<Placement>[]): PaymentGateway =>
  ({
    metadata: { name, namespace: 'payments' },
    spec: {},
    status: {
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', reason: 'x', message: '', lastTransitionTime: '' },
      ],
      placements: placements as Placement[],
    },
  }) as unknown as PaymentGateway;

describe('gatewaysAffectedByMember', () => {
  const onA = gw('on-a', true, [
    { component: 'authorization', member: 'edge-a', memberKind: 'EdgeSite', state: 'Active' },
  ]);
  const standIn = gw('stand-in', true, [
    {
      component: 'authorization',
      member: 'edge-b',
      memberKind: 'EdgeSite',
      state: 'FailoverTarget',
      replacedMember: 'edge-a',
    },
  ]);
  const elsewhere = gw('elsewhere', true, [
    { component: 'authorization', member: 'edge-b', memberKind: 'EdgeSite', state: 'Active' },
    { component: 'ledger', member: 'cloud-eu', memberKind: 'CloudCluster', state: 'Active' },
  ]);
  const waiting = gw('waiting', false, []);
  const sameNameOtherKind = gw('cloud-named-edge-a', true, [
    { component: 'ledger', member: 'edge-a', memberKind: 'CloudCluster', state: 'Active' },
  ]);

  it('keeps gateways placed on or standing in for the member, and those not Ready', () => {
    const names = gatewaysAffectedByMember(
      [onA, standIn, elsewhere, waiting, sameNameOtherKind],
      'EdgeSite',
      'edge-a',
    ).map((g) => g.metadata?.name);
    expect(names).toEqual(['on-a', 'stand-in', 'waiting']);
  });

  it('a Ready gateway elsewhere is affected only by its own members', () => {
    expect(gatewaysAffectedByMember([elsewhere], 'CloudCluster', 'cloud-eu')).toEqual([elsewhere]);
    expect(gatewaysAffectedByMember([elsewhere], 'EdgeSite', 'edge-c')).toEqual([]);
  });

  it('a gateway being deleted is always affected (its cleanup may wait for the member)', () => {
    const deleting = { ...elsewhere, metadata: { ...elsewhere.metadata, deletionTimestamp: new Date() } };
    expect(gatewaysAffectedByMember([deleting], 'EdgeSite', 'edge-c')).toHaveLength(1);
  });

  it('a Degraded gateway, and one whose ledger names the cluster, are affected too (a standby to place)', () => {
    const degraded = {
      ...elsewhere,
      status: {
        ...elsewhere.status,
        conditions: [
          ...(elsewhere.status?.conditions ?? []),
          {
            type: 'Degraded',
            status: 'True',
            reason: 'StandbyNotFound',
            message: '',
            lastTransitionTime: '',
          },
        ],
      },
    } as PaymentGateway;
    expect(gatewaysAffectedByMember([degraded], 'EdgeSite', 'edge-c')).toHaveLength(1);
    const named = { ...elsewhere, spec: { ledger: { primary: 'cloud-eu', standbys: ['cloud-us'] } } };
    expect(gatewaysAffectedByMember([named], 'CloudCluster', 'cloud-us')).toHaveLength(1);
    expect(gatewaysAffectedByMember([named], 'EdgeSite', 'cloud-us')).toHaveLength(0);
  });
});

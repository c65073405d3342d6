import type { Contract } from '@paygrid/workload-kit';
import { servingState } from './serving.js';

const contract = (role: Contract['role'], epoch: number): Contract => ({
  gateway: 'payments/checkout',
  component: 'authorization',
  member: 'edge-a',
  memberKind: 'EdgeSite',
  region: 'eu-west',
  role,
  epoch,
});

describe('servingState', () => {
  it('serves as Active or FailoverTarget, not as Standby, Draining or Lost', () => {
    expect(servingState(contract('Active', 1), undefined)).toEqual({ serving: true });
    expect(servingState(contract('FailoverTarget', 1), undefined)).toEqual({ serving: true });
    for (const role of ['Standby', 'Draining', 'Lost'] as const)
      expect(servingState(contract(role, 1), undefined)).toMatchObject({
        serving: false,
        reason: 'NotServing',
      });
  });

  it('does not serve without a contract', () => {
    expect(servingState(undefined, undefined)).toMatchObject({ serving: false, reason: 'ContractNotLoaded' });
  });

  it('stays fenced at the refused epoch and lifts only on a newer one', () => {
    expect(servingState(contract('Active', 4), 4)).toMatchObject({ serving: false, reason: 'Fenced' });
    expect(servingState(contract('Active', 3), 4)).toMatchObject({ serving: false, reason: 'Fenced' });
    expect(servingState(contract('Active', 5), 4)).toEqual({ serving: true });
  });

  it('reports the role before the fence', () => {
    expect(servingState(contract('Draining', 4), 4)).toMatchObject({ reason: 'NotServing' });
  });
});

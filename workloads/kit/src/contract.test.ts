import { ContractError, parseContract, servesTraffic } from './contract.js';

const authorization: Record<string, string> = {
  gateway: 'payments/checkout',
  component: 'authorization',
  member: 'edge-a',
  'member-kind': 'EdgeSite',
  region: 'eu-west',
  zone: 'eu-west-1a',
  role: 'Active',
  epoch: '7\n',
  'ledger-endpoint': 'https://ledger.cloud-eu.example:8443/',
  'stand-in-floor-limit-minor': '5000',
  'stand-in-max-offline-count': '100',
  'stand-in-max-offline-amount-minor': '100000',
  'stand-in-currency': 'EUR',
};

describe('parseContract', () => {
  it('reads what the operator renders for authorization', () => {
    expect(parseContract(authorization)).toEqual({
      gateway: 'payments/checkout',
      component: 'authorization',
      member: 'edge-a',
      memberKind: 'EdgeSite',
      region: 'eu-west',
      zone: 'eu-west-1a',
      role: 'Active',
      epoch: 7,
      ledgerEndpoint: 'https://ledger.cloud-eu.example:8443',
      standIn: {
        floorLimitMinor: 5000,
        maxOfflineCount: 100,
        maxOfflineAmountMinor: 100000,
        currency: 'EUR',
      },
    });
  });

  it('reads the fenced (Lost) members the operator lists, and refuses a bad name', () => {
    expect(parseContract({ ...authorization, 'fenced-members': 'edge-b,edge-c\n' }).fencedMembers).toEqual([
      'edge-b',
      'edge-c',
    ]);
    expect(parseContract(authorization).fencedMembers).toBeUndefined();
    expect(() => parseContract({ ...authorization, 'fenced-members': 'edge-b,Edge C' })).toThrow(
      /fenced-members: must be member names separated by commas/,
    );
  });

  it('needs no stand-in limits for the ledger, and keeps the replaced member', () => {
    const ledger = parseContract({
      gateway: 'payments/checkout',
      component: 'ledger',
      member: 'cloud-b',
      'member-kind': 'CloudCluster',
      region: 'eu-central',
      role: 'FailoverTarget',
      epoch: '12',
      'replaced-member': 'cloud-a',
    });
    expect(ledger.standIn).toBeUndefined();
    expect(ledger.replacedMember).toBe('cloud-a');
    expect(ledger.zone).toBeUndefined();
  });

  it.each([
    ['epoch', { epoch: '-1' }, /epoch: must be a non-negative integer/],
    ['epoch', { epoch: '1.5' }, /epoch: must be a non-negative integer/],
    ['role', { role: 'Primary' }, /role: must be one of Active, FailoverTarget, Standby, Draining, Lost/],
    ['component', { component: 'ui' }, /component: must be one of/],
    ['stand-in-currency', { 'stand-in-currency': 'eur' }, /stand-in-currency: must be an ISO 4217 code/],
    [
      'stand-in-floor-limit-minor',
      { 'stand-in-floor-limit-minor': '50.00' },
      /stand-in-floor-limit-minor: must be a non-negative integer/,
    ],
    ['ledger-endpoint', { 'ledger-endpoint': 'ledger:8443' }, /ledger-endpoint: must be an http\(s\) URL/],
    ['gateway', { gateway: '  ' }, /gateway: missing or empty/],
  ])('names the bad file %s', (file, change, message) => {
    let error: unknown;
    try {
      parseContract({ ...authorization, ...change });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).file).toBe(file);
    expect((error as Error).message).toMatch(message);
  });

  it('serves only as Active or FailoverTarget', () => {
    expect(servesTraffic('Active')).toBe(true);
    expect(servesTraffic('FailoverTarget')).toBe(true);
    expect(servesTraffic('Standby')).toBe(false);
    expect(servesTraffic('Draining')).toBe(false);
    expect(servesTraffic('Lost')).toBe(false);
  });
});

import { configHash, LIVE_KEYS } from './config.js';
import { urlPort } from './ports.js';

describe('configHash', () => {
  it('ignores key order and the live keys', () => {
    const data = { member: 'edge-a', region: 'eu-west', epoch: '1', role: 'Active' };
    expect(configHash({ region: 'eu-west', member: 'edge-a' })).toBe(configHash(data));
    expect(configHash({ ...data, epoch: '2', role: 'FailoverTarget', 'replaced-member': 'x' })).toBe(
      configHash(data),
    );
    expect(configHash({ ...data, region: 'eu-north' })).not.toBe(configHash(data));
    expect(configHash({ ...data, 'fenced-members': 'edge-b' })).toBe(configHash(data));
    expect(LIVE_KEYS).toEqual(['epoch', 'role', 'replaced-member', 'fenced-members']);
  });

  it('hashes the configured primary ledger, not the one writing now (a promotion rolls nothing)', () => {
    const eu = 'https://ledger.eu.example.com:8443';
    const us = 'https://ledger.us.example.com:8443';
    const data = { member: 'edge-a', 'ledger-endpoint': eu };
    // Promoted: the data names cloud-us, the hash stays the one of the primary's endpoint…
    expect(configHash({ ...data, 'ledger-endpoint': us }, eu)).toBe(configHash(data));
    expect(configHash(data, eu)).toBe(configHash(data));
    // …and a new primary in the spec rolls the pods, as before.
    expect(configHash({ ...data, 'ledger-endpoint': us }, us)).not.toBe(configHash(data));
  });
});

describe('urlPort', () => {
  it('reads explicit ports and scheme defaults', () => {
    expect(urlPort('https://l.example.com:9443/x')).toBe(9443);
    expect(urlPort('https://l.example.com')).toBe(443);
    expect(urlPort('http://l.example.com')).toBe(80);
    expect(urlPort('not a url')).toBeUndefined();
    expect(urlPort(undefined)).toBeUndefined();
  });
});

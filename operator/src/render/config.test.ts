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
    expect(LIVE_KEYS).toEqual(['epoch', 'role', 'replaced-member', 'fenced-members', 'ledger-endpoint']);
  });

  it('does not roll authorization when the ledger fails over (its journal is on an emptyDir)', () => {
    const data = { member: 'edge-a', 'ledger-endpoint': 'https://ledger.eu.example.com:8443' };
    expect(configHash({ ...data, 'ledger-endpoint': 'https://ledger.us.example.com:8443' })).toBe(
      configHash(data),
    );
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

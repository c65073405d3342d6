import fc from 'fast-check';
import { memberKey, parseMemberKey } from './member-controller.js';

describe('parseMemberKey', () => {
  it('parses EdgeSite and CloudCluster keys', () => {
    expect(parseMemberKey('EdgeSite/edge-a')).toEqual({ kind: 'EdgeSite', name: 'edge-a' });
    expect(parseMemberKey('CloudCluster/cloud-a')).toEqual({ kind: 'CloudCluster', name: 'cloud-a' });
  });

  it.each(['', 'EdgeSite', 'EdgeSite/', '/edge-a', 'edgesite/edge-a', 'PaymentGateway/checkout', 'Pod/x'])(
    'throws on the bad key %p, naming it',
    (key) => {
      expect(() => parseMemberKey(key)).toThrow(`bad member key ${key}`);
    },
  );

  it('reads back what memberKey writes (property)', () => {
    const name = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.constantFrom('EdgeSite' as const, 'CloudCluster' as const), name, (kind, n) => {
        expect(parseMemberKey(memberKey(kind, n))).toEqual({ kind, name: n });
      }),
    );
  });
});

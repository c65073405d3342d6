import { findOwnedDrift } from './owned-drift.js';

const M = 'EdgeSite/edge-a';
const id = (kind: string, name: string, ns = 'payments') =>
  `${M}|v1|${kind}|${kind === 'Namespace' ? '' : ns}|${name}`;
const entry = (i: string, gateway = 'payments/checkout', owned = `fp-${i}`) => ({ id: i, gateway, owned });
const notNamespace = (i: string) => !i.includes('|Namespace|');

describe('findOwnedDrift', () => {
  const cm = id('ConfigMap', 'checkout-authorization');
  const svc = id('Service', 'checkout-authorization');
  const ns = id('Namespace', 'payments');
  const other = id('ConfigMap', 'refunds-authorization');
  // The Namespace was last applied by the other gateway of the namespace.
  const entries = [entry(ns, 'payments/refunds'), entry(cm), entry(svc), entry(other, 'payments/refunds')];

  it('finds nothing when every read object carries the fingerprint of its apply', () => {
    const live = new Map([cm, svc, other].map((i) => [i, `fp-${i}`]));
    expect(findOwnedDrift(entries, live, notNamespace)).toEqual({ drifted: [], reapply: [], gateways: [] });
  });

  it('a missing object is deleted, a different fingerprint changed; all of that gateway is re-applied', () => {
    const live = new Map<string, string | undefined>([
      [svc, 'fp-someone-else'],
      [other, `fp-${other}`],
    ]);
    const f = findOwnedDrift(entries, live, notNamespace);
    expect(f.drifted).toEqual([
      { id: cm, gateway: 'payments/checkout', what: ['deleted'] },
      { id: svc, gateway: 'payments/checkout', what: ['changed outside paygrid'] },
    ]);
    // The Namespace (never read) goes again with them; the other gateway is left alone.
    expect(f.reapply).toEqual([ns, cm, svc]);
    expect(f.gateways).toEqual(['payments/checkout']);
  });

  it('says nothing of kinds the read did not cover, nor of entries without a fingerprint', () => {
    const live = new Map<string, string | undefined>();
    const f = findOwnedDrift(
      [entry(cm), { id: svc, gateway: 'payments/checkout' }],
      live,
      (i) => !i.includes('|ConfigMap|'),
    );
    expect(f.drifted).toEqual([]);
  });
});

import type { KubernetesObject } from '@kubernetes/client-node';
import { AppliedCache, contentHash, objectId } from './applied-cache.js';

const TTL = 60_000;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const configMap = (
  name: string,
  data: Record<string, string> = { a: '1' },
): KubernetesObject & {
  data: Record<string, string>;
} => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'payments' }, data });

describe('AppliedCache', () => {
  it('knows a recorded hash until the TTL has passed', () => {
    const c = clock();
    const cache = new AppliedCache(TTL, c.now);
    expect(cache.isCurrent('id', 'h1')).toBe(false);
    cache.record('id', 'h1');
    expect(cache.isCurrent('id', 'h1')).toBe(true);
    c.advance(TTL - 1);
    expect(cache.isCurrent('id', 'h1')).toBe(true);
    c.advance(1);
    // Expired: the periodic no-op apply corrects drift on the member.
    expect(cache.isCurrent('id', 'h1')).toBe(false);
  });

  it('a different hash is not current', () => {
    const cache = new AppliedCache(TTL, clock().now);
    cache.record('id', 'h1');
    expect(cache.isCurrent('id', 'h2')).toBe(false);
    expect(cache.isCurrent('other', 'h1')).toBe(false);
  });

  it('recording again restarts the TTL and replaces the hash', () => {
    const c = clock();
    const cache = new AppliedCache(TTL, c.now);
    cache.record('id', 'h1');
    c.advance(TTL - 10);
    cache.record('id', 'h2');
    c.advance(TTL - 10);
    expect(cache.isCurrent('id', 'h2')).toBe(true);
    expect(cache.isCurrent('id', 'h1')).toBe(false);
  });

  it('forget drops one entry', () => {
    const cache = new AppliedCache(TTL, clock().now);
    cache.record('a', 'h');
    cache.record('b', 'h');
    cache.forget('a');
    expect(cache.isCurrent('a', 'h')).toBe(false);
    expect(cache.isCurrent('b', 'h')).toBe(true);
  });

  it("forgetMember forgets only that member's entries, not a member whose key it prefixes", () => {
    const cache = new AppliedCache(TTL, clock().now);
    const obj = configMap('checkout-authorization');
    const ids = {
      a: objectId('EdgeSite/edge-a', obj),
      ab: objectId('EdgeSite/edge-ab', obj),
      cloudA: objectId('CloudCluster/edge-a', obj),
    };
    for (const id of Object.values(ids)) cache.record(id, 'h');
    cache.forgetMember('EdgeSite/edge-a');
    expect(cache.isCurrent(ids.a, 'h')).toBe(false);
    expect(cache.isCurrent(ids.ab, 'h')).toBe(true);
    expect(cache.isCurrent(ids.cloudA, 'h')).toBe(true);
  });
});

describe('objectId', () => {
  it('names member, apiVersion, kind, namespace and name', () => {
    expect(objectId('EdgeSite/edge-a', configMap('x'))).toBe('EdgeSite/edge-a|v1|ConfigMap|payments|x');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } };
    expect(objectId('EdgeSite/edge-a', ns)).toBe('EdgeSite/edge-a|v1|Namespace||payments');
  });

  it('tells apart objects that differ in any part', () => {
    const base = configMap('x');
    const ids = new Set([
      objectId('EdgeSite/edge-a', base),
      objectId('EdgeSite/edge-b', base),
      objectId('EdgeSite/edge-a', { ...base, kind: 'Secret' }),
      objectId('EdgeSite/edge-a', { ...base, apiVersion: 'v2' }),
      objectId('EdgeSite/edge-a', { ...base, metadata: { name: 'x', namespace: 'other' } }),
      objectId('EdgeSite/edge-a', configMap('y')),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('contentHash', () => {
  it('is the same for the same content, in a fresh copy', () => {
    const obj = configMap('x', { a: '1', b: '2' });
    expect(contentHash(obj)).toBe(contentHash(structuredClone(obj)));
    expect(contentHash(obj)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any change of content, however deep', () => {
    const obj = configMap('x', { a: '1' });
    const hashes = new Set([
      contentHash(obj),
      contentHash(configMap('x', { a: '2' })),
      contentHash(configMap('x', { a: '1', b: '' })),
      contentHash(configMap('y', { a: '1' })),
      contentHash({ ...obj, metadata: { ...obj.metadata, labels: { l: 'v' } } }),
    ]);
    expect(hashes.size).toBe(5);
  });
});

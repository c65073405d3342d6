import type { KubernetesObject } from '@kubernetes/client-node';
import { AppliedCache, contentHash, objectId, objectIdParts } from './applied-cache.js';

const configMap = (
  name: string,
  data: Record<string, string> = { a: '1' },
): KubernetesObject & {
  data: Record<string, string>;
} => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'payments' }, data });

describe('AppliedCache', () => {
  it('knows a recorded hash for as long as nothing says otherwise (no expiry: no writes at rest)', () => {
    const cache = new AppliedCache();
    expect(cache.isCurrent('id', 'h1')).toBe(false);
    cache.record('id', 'h1');
    expect(cache.isCurrent('id', 'h1')).toBe(true);
  });

  it('a different hash is not current', () => {
    const cache = new AppliedCache();
    cache.record('id', 'h1');
    expect(cache.isCurrent('id', 'h2')).toBe(false);
    expect(cache.isCurrent('other', 'h1')).toBe(false);
  });

  it('recording again replaces the hash and what the answer said', () => {
    const cache = new AppliedCache();
    cache.record('m|id', 'h1', { generation: 1, owned: 'o1', gateway: 'ns/a' });
    cache.confirm('m|id');
    cache.record('m|id', 'h2', { generation: 2 });
    expect(cache.isCurrent('m|id', 'h2')).toBe(true);
    expect(cache.isCurrent('m|id', 'h1')).toBe(false);
    expect(cache.applied('m|id')).toEqual({ confirmed: false, generation: 2 });
    expect(cache.entriesOn('m')).toEqual([{ id: 'm|id' }]);
  });

  it('a drifted entry is not current until applied again, and says how it drifted', () => {
    const cache = new AppliedCache();
    cache.record('m|x', 'h', { owned: 'o', gateway: 'ns/gw' });
    cache.markDrifted('m|x', ['deleted']);
    expect(cache.isCurrent('m|x', 'h')).toBe(false);
    expect(cache.drift('m|x')).toEqual(['deleted']);
    cache.record('m|x', 'h', { owned: 'o2', gateway: 'ns/gw' });
    expect(cache.isCurrent('m|x', 'h')).toBe(true);
    expect(cache.drift('m|x')).toBeUndefined();
    // A finding about an older apply than the one recorded is dropped.
    expect(cache.markDrifted('m|x', ['deleted'], 'o')).toBe(false);
    expect(cache.isCurrent('m|x', 'h')).toBe(true);
    expect(cache.markDrifted('m|x', ['deleted'], 'o2')).toBe(true);
    // Marking what was never applied does nothing.
    expect(cache.markDrifted('m|y', ['deleted'])).toBe(false);
    expect(cache.drift('m|y')).toBeUndefined();
  });

  it('forget drops one entry', () => {
    const cache = new AppliedCache();
    cache.record('a', 'h');
    cache.record('b', 'h');
    cache.forget('a');
    expect(cache.isCurrent('a', 'h')).toBe(false);
    expect(cache.isCurrent('b', 'h')).toBe(true);
    expect(cache.size).toBe(1);
  });

  it("forgetMember and entriesOn see only that member's entries, not a member whose key it prefixes", () => {
    const cache = new AppliedCache();
    const obj = configMap('checkout-authorization');
    const ids = {
      a: objectId('EdgeSite/edge-a', obj),
      ab: objectId('EdgeSite/edge-ab', obj),
      cloudA: objectId('CloudCluster/edge-a', obj),
    };
    for (const id of Object.values(ids)) cache.record(id, 'h', { owned: 'o', gateway: 'payments/checkout' });
    expect(cache.entriesOn('EdgeSite/edge-a')).toEqual([
      { id: ids.a, owned: 'o', gateway: 'payments/checkout' },
    ]);
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

  it('reads back into its parts', () => {
    expect(objectIdParts(objectId('EdgeSite/edge-a', configMap('x')))).toEqual({
      member: 'EdgeSite/edge-a',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'payments',
      name: 'x',
    });
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

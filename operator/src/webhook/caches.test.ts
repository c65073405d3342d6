import type { V1Secret } from '@kubernetes/client-node';
import { lookupsFromCaches, type CacheLike } from './caches.js';
import { edgeSite, gateway, secret } from './testdata/fixtures.js';

function cache<T extends { metadata?: { name?: string; namespace?: string } }>(
  items: T[],
  synced = true,
): CacheLike<T> {
  const key = (o: T) =>
    o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`;
  return {
    get: (k) => items.find((o) => key(o) === k),
    list: () => items,
    hasSynced: () => synced,
    name: 'Test@hub',
  };
}

describe('lookupsFromCaches', () => {
  const s = secret('paygrid-member-edge-a', { kubeconfig: 'x' });

  it('answers from the caches', async () => {
    const l = lookupsFromCaches({
      namespace: 'paygrid-system',
      secrets: cache([s]),
      edgeSites: cache([edgeSite('edge-a')]),
      gateways: cache([gateway('checkout')]),
    });
    expect(await l.getSecret('paygrid-member-edge-a')).toBe(s);
    expect(await l.listEdgeSites()).toHaveLength(1);
    expect(await l.listGateways()).toHaveLength(1);
    expect(l.listCloudClusters).toBeUndefined();
  });

  it('reads a Secret the cache does not hold yet from the API', async () => {
    const calls: unknown[][] = [];
    const read = async (...args: unknown[]): Promise<V1Secret | undefined> => {
      calls.push(args);
      return s;
    };
    const l = lookupsFromCaches({
      namespace: 'paygrid-system',
      secrets: cache<V1Secret>([]),
      edgeSites: cache([]),
      gateways: cache([]),
      readSecret: read,
    });
    expect(await l.getSecret('paygrid-member-edge-a')).toBe(s);
    expect(calls).toEqual([['paygrid-member-edge-a', undefined]]);
  });

  it('refuses to answer from caches that have not synced', async () => {
    const l = lookupsFromCaches({
      namespace: 'paygrid-system',
      secrets: cache<V1Secret>([], false),
      edgeSites: cache([], false),
      gateways: cache([], false),
    });
    await expect(l.getSecret('x')).rejects.toThrow('the Test@hub cache has not synced yet');
    expect(() => l.listGateways()).toThrow('has not synced');
  });
});

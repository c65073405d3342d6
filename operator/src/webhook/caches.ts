// WebhookLookups over the operator's informer caches, for mounting the webhook in the
// operator: reads are answered from memory. A Secret the cache does not hold yet is read from
// the API (when `readSecret` is given): `kubectl apply -f` of a Secret and the EdgeSite that
// references it, together, must not race the cache.
import type { V1Secret } from '@kubernetes/client-node';
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import type { WebhookLookups } from './rules.js';

/** The part of an informer the webhook uses (runtime/informer.ts Informer fits). */
export interface CacheLike<T> {
  /** By key: "namespace/name", or "name" for cluster-scoped objects. */
  get(key: string): T | undefined;
  list(): T[];
  hasSynced?(): boolean;
  readonly name?: string;
}

export interface CacheLookupsOptions {
  /** The operator's namespace: the Secret cache's keys are "<namespace>/<name>". */
  readonly namespace: string;
  readonly secrets: CacheLike<V1Secret>;
  readonly edgeSites: CacheLike<EdgeSite>;
  readonly gateways: CacheLike<PaymentGateway>;
  readonly cloudClusters?: CacheLike<CloudCluster>;
  /** Reads a Secret from the API when the cache misses; undefined = not found. */
  readonly readSecret?: (name: string, signal?: AbortSignal) => Promise<V1Secret | undefined>;
}

function synced<T>(cache: CacheLike<T>, what: string): CacheLike<T> {
  if (cache.hasSynced && !cache.hasSynced())
    throw new Error(`the ${cache.name ?? what} cache has not synced yet`);
  return cache;
}

export function lookupsFromCaches(o: CacheLookupsOptions): WebhookLookups {
  return {
    async getSecret(name, signal) {
      const cached = o.secrets.get(`${o.namespace}/${name}`);
      if (cached) return cached;
      if (o.readSecret) return o.readSecret(name, signal);
      synced(o.secrets, 'Secret');
      return undefined;
    },
    listEdgeSites: () => synced(o.edgeSites, 'EdgeSite').list(),
    listGateways: () => synced(o.gateways, 'PaymentGateway').list(),
    ...(o.cloudClusters ? { listCloudClusters: () => synced(o.cloudClusters!, 'CloudCluster').list() } : {}),
  };
}

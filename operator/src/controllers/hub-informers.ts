// The hub's caches: every paygrid resource, and the kubeconfig Secrets in the
// operator's namespace. Controllers read from these, never from the apiserver
// on a hot path.
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { API_VERSION, type CloudCluster, type EdgeSite, type PaymentGateway } from '../api/index.js';
import { Informer, KubeListWatchSource, type KubeObject } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';

export interface HubInformers {
  edgeSites: Informer<EdgeSite & KubeObject>;
  cloudClusters: Informer<CloudCluster & KubeObject>;
  gateways: Informer<PaymentGateway & KubeObject>;
  secrets: Informer<V1Secret & KubeObject>;
  all(): Informer<KubeObject>[];
}

export function createHubInformers(
  kc: KubeConfig,
  opts: { namespace: string; resyncPeriodMs: number; logger: Logger },
): HubInformers {
  const make = <T extends KubeObject>(kind: string, apiVersion: string, namespace?: string) =>
    new Informer<T>({
      source: new KubeListWatchSource<T>(kc, { apiVersion, kind }),
      name: `${kind}@hub`,
      resyncPeriodMs: opts.resyncPeriodMs,
      logger: opts.logger,
      ...(namespace ? { namespace } : {}),
    });
  const edgeSites = make<EdgeSite & KubeObject>('EdgeSite', API_VERSION);
  const cloudClusters = make<CloudCluster & KubeObject>('CloudCluster', API_VERSION);
  const gateways = make<PaymentGateway & KubeObject>('PaymentGateway', API_VERSION);
  const secrets = make<V1Secret & KubeObject>('Secret', 'v1', opts.namespace);
  return {
    edgeSites,
    cloudClusters,
    gateways,
    secrets,
    all: () => [edgeSites, cloudClusters, gateways, secrets] as unknown as Informer<KubeObject>[],
  };
}

// The hub's caches: every paygrid resource, and the kubeconfig Secrets in the
// operator's namespace. Controllers read from these, never from the apiserver
// on a hot path.
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { API_VERSION, PLURALS, type CloudCluster, type EdgeSite, type PaymentGateway } from '../api/index.js';
import { Informer, KubeListWatchSource, type KubeObject } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';

export interface HubInformers {
  edgeSites: Informer<EdgeSite & KubeObject>;
  cloudClusters: Informer<CloudCluster & KubeObject>;
  gateways: Informer<PaymentGateway & KubeObject>;
  secrets: Informer<V1Secret & KubeObject>;
  all(): Informer<KubeObject>[];
}

/** One kind the hub informers list and watch. */
export interface HubWatchedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Resource name in API paths (what RBAC names). */
  readonly plural: string;
  /** Watched only in the operator's namespace (else in every namespace). */
  readonly operatorNamespaceOnly: boolean;
}

/**
 * What each hub informer lists and watches. createHubInformers builds its informers from this,
 * and controllers/required-calls.ts derives the RBAC the operator needs from it.
 */
export const HUB_WATCHED_KINDS = {
  edgeSites: {
    apiVersion: API_VERSION,
    kind: 'EdgeSite',
    plural: PLURALS.EdgeSite,
    operatorNamespaceOnly: false,
  },
  cloudClusters: {
    apiVersion: API_VERSION,
    kind: 'CloudCluster',
    plural: PLURALS.CloudCluster,
    operatorNamespaceOnly: false,
  },
  gateways: {
    apiVersion: API_VERSION,
    kind: 'PaymentGateway',
    plural: PLURALS.PaymentGateway,
    operatorNamespaceOnly: false,
  },
  secrets: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', operatorNamespaceOnly: true },
} as const satisfies Record<Exclude<keyof HubInformers, 'all'>, HubWatchedKind>;

export function createHubInformers(
  kc: KubeConfig,
  opts: { namespace: string; resyncPeriodMs: number; logger: Logger },
): HubInformers {
  const make = <T extends KubeObject>(w: HubWatchedKind) =>
    new Informer<T>({
      source: new KubeListWatchSource<T>(kc, { apiVersion: w.apiVersion, kind: w.kind }),
      name: `${w.kind}@hub`,
      resyncPeriodMs: opts.resyncPeriodMs,
      logger: opts.logger,
      ...(w.operatorNamespaceOnly ? { namespace: opts.namespace } : {}),
    });
  const edgeSites = make<EdgeSite & KubeObject>(HUB_WATCHED_KINDS.edgeSites);
  const cloudClusters = make<CloudCluster & KubeObject>(HUB_WATCHED_KINDS.cloudClusters);
  const gateways = make<PaymentGateway & KubeObject>(HUB_WATCHED_KINDS.gateways);
  const secrets = make<V1Secret & KubeObject>(HUB_WATCHED_KINDS.secrets);
  return {
    edgeSites,
    cloudClusters,
    gateways,
    secrets,
    all: () => [edgeSites, cloudClusters, gateways, secrets] as unknown as Informer<KubeObject>[],
  };
}

// AdmissionReview fixtures in the shape kube-apiserver sends them (compare
// testdata/edgesite-create.review.json, captured from a v1.35 apiserver), and the objects and
// Secrets they refer to.
import type { V1Secret } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { CloudCluster, EdgeSite, PaymentGateway, Placement } from '../../api/index.js';
import type { AdmissionReview, Operation } from '../admission.js';

export const NAMESPACE = 'paygrid-system';
export const TOKEN = 'sha256~Sup3rS3cretT0ken-never-echo';

const PLURAL = { EdgeSite: 'edgesites', CloudCluster: 'cloudclusters', PaymentGateway: 'paymentgateways' };
type PaygridKind = keyof typeof PLURAL;

let seq = 0;

/** An AdmissionReview request for a paygrid object. */
export function review(
  operation: Operation,
  kind: PaygridKind,
  object: unknown,
  oldObject?: unknown,
  extra: Record<string, unknown> = {},
): AdmissionReview {
  const obj = (operation === 'DELETE' ? oldObject : object) as {
    metadata?: { name?: string; namespace?: string };
  };
  const gvk = { group: 'paygrid.io', version: 'v1alpha1', kind };
  const gvr = { group: 'paygrid.io', version: 'v1alpha1', resource: PLURAL[kind] };
  const options = {
    CREATE: {
      kind: 'CreateOptions',
      apiVersion: 'meta.k8s.io/v1',
      fieldManager: 'kubectl-client-side-apply',
    },
    UPDATE: {
      kind: 'UpdateOptions',
      apiVersion: 'meta.k8s.io/v1',
      fieldManager: 'kubectl-client-side-apply',
    },
    DELETE: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', propagationPolicy: 'Background' },
    CONNECT: {},
  }[operation];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `0b8c6d7e-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: obj?.metadata?.name ?? '',
      ...(obj?.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
      operation,
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'CREATE' ? null : (oldObject ?? null),
      dryRun: false,
      options,
      ...extra,
    },
  };
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${name}`,
  resourceVersion: '1000',
  generation: 1,
  creationTimestamp: '2025-01-31T12:00:00Z',
  ...extra,
});

const readyCondition = (status: 'True' | 'False') => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'Healthy' : 'SiteUnreachable',
  message: status === 'True' ? 'the site is healthy' : 'the site is unreachable',
  lastTransitionTime: '2025-01-31T12:00:00Z',
  observedGeneration: 1,
});

export interface SiteOptions {
  labels?: Record<string, string>;
  cordoned?: boolean;
  ready?: boolean;
  secret?: string;
  key?: string;
  zone?: string;
}

/** An EdgeSite as the apiserver stores it (defaults applied). */
export function edgeSite(name: string, o: SiteOptions = {}): EdgeSite {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: meta(name, {
      labels: o.labels ?? {
        'paygrid.io/tier': 'edge',
        'topology.kubernetes.io/zone': o.zone ?? `eu-west-${name}`,
      },
    }),
    spec: {
      region: 'eu-west',
      zone: o.zone ?? `eu-west-${name}`,
      kubeconfigSecretRef: { name: o.secret ?? `paygrid-member-${name}`, ...(o.key ? { key: o.key } : {}) },
      endpoint: `https://${name}.pay.example.com`,
      capacity: { authorizationsPerSecond: 1000 },
      cordoned: o.cordoned ?? false,
      probe: { periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2 },
    },
    ...(o.ready === undefined
      ? {}
      : { status: { conditions: [readyCondition(o.ready ? 'True' : 'False')] } }),
  } as unknown as EdgeSite;
}

export function cloudCluster(
  name: string,
  o: { secret?: string | null; labels?: Record<string, string> } = {},
): CloudCluster {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'CloudCluster',
    metadata: meta(name, { labels: o.labels ?? { 'paygrid.io/tier': 'cloud' } }),
    spec: {
      region: 'eu-west',
      provider: 'other',
      ...(o.secret === null ? {} : { kubeconfigSecretRef: { name: o.secret ?? `paygrid-member-${name}` } }),
      endpoint: `https://ledger.${name}.pay.example.com`,
      probe: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 2 },
    },
  } as unknown as CloudCluster;
}

export interface GatewayOptions {
  sites?: number;
  selector?: Record<string, string>;
  authImage?: string;
  ledgerImage?: string;
  analyticsImage?: string;
  primary?: string;
  standbys?: string[];
  placements?: Partial<Placement>[];
  replicas?: number;
}

/** A PaymentGateway as stored (defaults applied), optionally with status placements. */
export function gateway(name: string, o: GatewayOptions = {}, namespace = 'payments'): PaymentGateway {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: meta(name, { namespace, finalizers: ['paygrid.io/cleanup'] }),
    spec: {
      authorization: {
        image: o.authImage ?? 'ghcr.io/paygrid/authorization:0.1.0',
        replicas: o.replicas ?? 2,
        sites: o.sites ?? 2,
        spreadBy: 'zone',
        siteSelector: { matchLabels: o.selector ?? { 'paygrid.io/tier': 'edge' } },
        authorizationsPerSecond: 100,
        standIn: {
          floorLimitMinor: 5000,
          maxOfflineCount: 100,
          maxOfflineAmountMinor: 100000,
          currency: 'EUR',
        },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      },
      ledger: {
        image: o.ledgerImage ?? 'ghcr.io/paygrid/ledger:0.1.0',
        replicas: 1,
        primary: o.primary ?? 'cloud-eu',
        ...(o.standbys ? { standbys: o.standbys } : {}),
      },
      analytics: {
        image: o.analyticsImage ?? 'ghcr.io/paygrid/analytics:0.1.0',
        replicas: 1,
        cloudSelector: { matchLabels: { 'paygrid.io/tier': 'cloud' } },
      },
      failover: {
        mode: 'Automatic',
        detectionWindowSeconds: 6,
        fallback: ['SameRegionEdge', 'AnyEdge'],
        failbackStabilizationSeconds: 60,
        paused: false,
      },
    },
    ...(o.placements
      ? {
          status: {
            observedGeneration: 1,
            epoch: 3,
            placements: o.placements.map((p) => ({
              component: 'authorization',
              memberKind: 'EdgeSite',
              state: 'Active',
              replicas: 2,
              readyReplicas: 2,
              since: '2025-01-31T12:00:00Z',
              reason: 'Selected',
              ...p,
            })) as Placement[],
          },
        }
      : {}),
  } as unknown as PaymentGateway;
}

/** A kubeconfig (text) that parses, with a token the webhook must never repeat. */
export function kubeconfigText(server = 'https://10.0.0.1:6443'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'edge', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'paygrid', user: { token: TOKEN } }],
    contexts: [{ name: 'edge', context: { cluster: 'edge', user: 'paygrid' } }],
    'current-context': 'edge',
  });
}

/** A Secret in the operator namespace with `data` given as plain text per key. */
export function secret(name: string, data: Record<string, string>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NAMESPACE, resourceVersion: '7', uid: `uid-${name}` },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

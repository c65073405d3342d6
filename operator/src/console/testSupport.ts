// Objects for the console's tests: a gateway failed over from edge-a to edge-c, and its sites.
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';

export const SECRET_MARKERS = [
  'paygrid-member-edge-a',
  'BEGIN CERTIFICATE',
  '10.0.0.7',
  'token-abc',
  '4111111111111111',
];

export function edgeSite(
  name: string,
  opts: { region?: string; zone?: string; health?: string; healthSince?: string; capacity?: number } = {},
): EdgeSite {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name, annotations: { note: 'token-abc' } },
    spec: {
      region: opts.region ?? 'eu-west',
      ...(opts.zone ? { zone: opts.zone } : {}),
      endpoint: `https://${name}.pay.example.com`,
      kubeconfigSecretRef: { name: `paygrid-member-${name}` },
      ...(opts.capacity ? { capacity: { authorizationsPerSecond: opts.capacity } } : {}),
    },
    status: {
      health: (opts.health ?? 'Healthy') as 'Healthy',
      healthSince: opts.healthSince ?? '2026-01-01T00:00:00Z',
      conditions: [
        {
          type: 'Ready',
          status: opts.health === 'Unreachable' ? 'False' : 'True',
          reason: opts.health === 'Unreachable' ? 'ProbeTimeout' : 'Healthy',
          // Messages may name internal hosts: they never reach the console.
          message: 'dial tcp 10.0.0.7:6443: BEGIN CERTIFICATE',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      lastProbeTime: '2026-01-01T00:10:00Z',
    },
  };
}

export const cloudEu: CloudCluster = {
  apiVersion: 'paygrid.io/v1alpha1',
  kind: 'CloudCluster',
  metadata: { name: 'cloud-eu' },
  spec: { region: 'eu-west', provider: 'aws', kubeconfigSecretRef: { name: 'paygrid-member-edge-a' } },
  status: { health: 'Healthy', conditions: [] },
};

export function failedOverGateway(name = 'checkout', opts: { serving?: boolean } = {}): PaymentGateway {
  const serving = opts.serving ?? true;
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { namespace: 'payments', name, generation: 1 },
    spec: {
      authorization: { image: 'ghcr.io/paygrid/authorization:0.1.0', standIn: { floorLimit: 5000 } },
      ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
    } as PaymentGateway['spec'],
    status: {
      epoch: 3,
      routes: [
        { member: 'edge-b', endpoint: 'https://edge-b.pay.example.com', priority: 0 },
        ...(serving ? [{ member: 'edge-c', endpoint: 'https://edge-c.pay.example.com', priority: 1 }] : []),
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Available',
          message: 'token-abc',
          lastTransitionTime: '2026-01-01T00:10:07Z',
        },
        {
          type: 'FailedOver',
          status: 'True',
          reason: 'FailedOver',
          message: 'edge-c stands in for edge-a',
          lastTransitionTime: '2026-01-01T00:10:04Z',
        },
      ],
      placements: [
        {
          component: 'authorization',
          member: 'edge-b',
          memberKind: 'EdgeSite',
          state: 'Active',
          since: '2026-01-01T00:00:00Z',
        },
        {
          component: 'authorization',
          member: 'edge-c',
          memberKind: 'EdgeSite',
          state: 'FailoverTarget',
          replacedMember: 'edge-a',
          since: '2026-01-01T00:10:04Z',
          reason: serving ? 'FailoverServing' : 'FailoverPending',
          message: '10.0.0.7',
          ...(serving ? { servingSince: '2026-01-01T00:10:07Z' } : {}),
        },
        {
          component: 'authorization',
          member: 'edge-a',
          memberKind: 'EdgeSite',
          state: 'Lost',
          since: '2026-01-01T00:10:04Z',
          reason: 'MemberUnreachable',
        },
        {
          component: 'ledger',
          member: 'cloud-eu',
          memberKind: 'CloudCluster',
          state: 'Active',
          since: '2026-01-01T00:00:00Z',
        },
        {
          component: 'ledger',
          member: 'cloud-us',
          memberKind: 'CloudCluster',
          state: 'Standby',
          since: '2026-01-01T00:00:00Z',
        },
      ],
    },
  };
}

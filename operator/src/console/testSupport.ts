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

type Placement = NonNullable<NonNullable<PaymentGateway['status']>['placements']>[number];

/**
 * The statuses one gateway goes through as edge-a is lost and comes back, in the order the planner
 * writes them (see failover/slots.ts), with the site's health at each stage.
 */
export function failoverStory(): { stage: string; gateway: PaymentGateway; edgeA: EdgeSite }[] {
  const auth = (member: string, state: string, since: string, extra: Partial<Placement> = {}): Placement => ({
    component: 'authorization',
    member,
    memberKind: 'EdgeSite',
    state: state as Placement['state'],
    since,
    ...extra,
  });
  const b = auth('edge-b', 'Active', '2026-01-01T00:00:00Z');
  const lost = auth('edge-a', 'Lost', '2026-01-01T00:10:04Z', { reason: 'MemberUnreachable' });
  const pending = auth('edge-c', 'FailoverTarget', '2026-01-01T00:10:04Z', {
    replacedMember: 'edge-a',
    reason: 'FailoverPending',
  });
  const serving = { ...pending, reason: 'FailoverServing', servingSince: '2026-01-01T00:10:07Z' };
  const home = auth('edge-a', 'Active', '2026-01-01T00:20:00Z', { reason: 'Failback' });
  const draining = auth('edge-c', 'Draining', '2026-01-01T00:20:09Z', {
    replacedMember: 'edge-a',
    reason: 'FailedBack',
  });
  const down = edgeSite('edge-a', { health: 'Unreachable', healthSince: '2026-01-01T00:10:02Z' });
  const up = edgeSite('edge-a', { healthSince: '2026-01-01T00:14:00Z' });
  const gw = (placements: Placement[]): PaymentGateway => {
    const g = failedOverGateway();
    g.status = { ...g.status, placements };
    return g;
  };
  return [
    { stage: 'healthy', gateway: gw([b, auth('edge-a', 'Active', '2026-01-01T00:00:00Z')]), edgeA: up },
    { stage: 'detected', gateway: gw([b, lost]), edgeA: down },
    { stage: 'placed', gateway: gw([b, pending, lost]), edgeA: down },
    { stage: 'serving', gateway: gw([b, serving, lost]), edgeA: down },
    { stage: 'site back, Lost drained', gateway: gw([b, serving]), edgeA: up },
    { stage: 'failback', gateway: gw([b, serving, home]), edgeA: up },
    { stage: 'returned', gateway: gw([b, draining, home]), edgeA: up },
    { stage: 'drained', gateway: gw([b, home]), edgeA: up },
  ];
}

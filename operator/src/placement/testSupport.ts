// Builders for planner and renderer tests (and for the failover planner's): terse members and
// gateways with sensible defaults.
import type { PaymentGateway, Placement } from '../api/index.js';
import type { MemberView } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A Healthy, Ready EdgeSite view with 1000 auth/s of capacity and none used. */
export function edge(name: string, overrides: Partial<Mutable<MemberView>> = {}): MemberView {
  return {
    name,
    kind: 'EdgeSite',
    region: 'eu-west',
    zone: `${name}-zone`,
    labels: {},
    health: 'Healthy',
    ready: true,
    cordoned: false,
    capacity: { authorizationsPerSecond: 1000 },
    usedByOthers: { authorizationsPerSecond: 0 },
    endpoint: `https://${name}.pay.example.com`,
    ...overrides,
  };
}

/** A Healthy, Ready CloudCluster view. */
export function cloud(name: string, overrides: Partial<Mutable<MemberView>> = {}): MemberView {
  return {
    name,
    kind: 'CloudCluster',
    region: 'eu-central',
    labels: {},
    health: 'Healthy',
    ready: true,
    cordoned: false,
    usedByOthers: { authorizationsPerSecond: 0 },
    endpoint: `https://${name}.ledger.example.com`,
    ...overrides,
  };
}

export interface GatewayOptions {
  namespace?: string;
  name?: string;
  authorization?: Partial<PaymentGateway['spec']['authorization']>;
  ledger?: Partial<PaymentGateway['spec']['ledger']>;
  analytics?: PaymentGateway['spec']['analytics'];
  failover?: PaymentGateway['spec']['failover'];
  placements?: Placement[];
  epoch?: number;
}

/** A PaymentGateway `payments/checkout` with ledger primary `cloud-a` and no analytics. */
export function gateway(options: GatewayOptions = {}): PaymentGateway {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { namespace: options.namespace ?? 'payments', name: options.name ?? 'checkout', generation: 1 },
    spec: {
      authorization: { image: 'ghcr.io/paygrid/authorization:0.1.0', ...options.authorization },
      ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-a', ...options.ledger },
      ...(options.analytics ? { analytics: options.analytics } : {}),
      ...(options.failover ? { failover: options.failover } : {}),
    },
    status: {
      ...(options.placements ? { placements: options.placements } : {}),
      ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
    },
  };
}

/** The same gateway with status.placements and status.epoch replaced. */
export function withStatus(gw: PaymentGateway, placements: Placement[], epoch: number): PaymentGateway {
  return { ...gw, status: { ...gw.status, placements, epoch } };
}

/** A status.placements entry. */
export function placement(
  component: Placement['component'],
  member: string,
  state: Placement['state'],
  extra: Partial<Placement> = {},
): Placement {
  return {
    component,
    member,
    memberKind: component === 'authorization' ? 'EdgeSite' : 'CloudCluster',
    state,
    replicas: 2,
    readyReplicas: 2,
    since: '2025-01-01T00:00:00Z',
    reason: 'Selected',
    message: 'test',
    ...extra,
  };
}

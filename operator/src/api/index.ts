// paygrid's API (group paygrid.io, version v1alpha1): the generated types and
// schemas, plus the names and small helpers every part of the operator shares.
// The types come from crds/*.yaml via `make generate`; never edit generated/.
import { createHash } from 'node:crypto';
import type { Condition, ProbeSpec } from './generated/common.js';
import type { CloudCluster } from './generated/cloudcluster.js';
import type { EdgeSite, EdgeSiteStatus } from './generated/edgesite.js';
import type { FailoverSpec, PaymentGateway, Placement } from './generated/paymentgateway.js';

export type * from './generated/common.js';
export type * from './generated/edgesite.js';
export type * from './generated/cloudcluster.js';
export type * from './generated/paymentgateway.js';
export * from './generated/schemas.js';

// ---------------------------------------------------------------- names

export const GROUP = 'paygrid.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export const KINDS = {
  EdgeSite: 'EdgeSite',
  CloudCluster: 'CloudCluster',
  PaymentGateway: 'PaymentGateway',
} as const;
export type Kind = keyof typeof KINDS;

/** Resource names in API paths, by kind. */
export const PLURALS = {
  EdgeSite: 'edgesites',
  CloudCluster: 'cloudclusters',
  PaymentGateway: 'paymentgateways',
} as const satisfies Record<Kind, string>;
export const EDGESITE_PLURAL = PLURALS.EdgeSite;
export const CLOUDCLUSTER_PLURAL = PLURALS.CloudCluster;
export const PAYMENTGATEWAY_PLURAL = PLURALS.PaymentGateway;

/** Field manager of every server-side apply the operator makes. */
export const FIELD_MANAGER = 'paygrid-operator';
/** Finalizer on PaymentGateways: removed once every member's workloads are deleted. */
export const FINALIZER = 'paygrid.io/cleanup';

// ---------------------------------------------------------------- labels

/** Label keys put on every object the operator renders onto a member. */
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** `<namespace>.<name>` of the owning gateway (see gatewayLabelValue). */
export const LABEL_GATEWAY = 'paygrid.io/gateway';
export const LABEL_PAYGRID_COMPONENT = 'paygrid.io/component';
/** The member (EdgeSite or CloudCluster name) an object was rendered for: prune touches only its own. */
export const LABEL_MEMBER = 'paygrid.io/member';
/** Value of app.kubernetes.io/part-of. */
export const PART_OF = 'paygrid';
/** Value of app.kubernetes.io/managed-by; prune only what carries it. */
export const MANAGED_BY = 'paygrid';

const LABEL_VALUE_MAX = 63;

/**
 * The paygrid.io/gateway label value of a gateway: `<namespace>.<name>`. A
 * label value holds at most 63 characters; a longer pair is cut and ends with
 * a hash of the whole, so it stays unique and valid.
 */
export function gatewayLabelValue(namespace: string, name: string): string {
  const full = `${namespace}.${name}`;
  if (full.length <= LABEL_VALUE_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  const head = full.slice(0, LABEL_VALUE_MAX - hash.length - 1).replace(/[^A-Za-z0-9]+$/, '');
  return `${head}-${hash}`;
}

/** The labels the operator puts on every object of one gateway component on a member. */
export function workloadLabels(
  gateway: { namespace: string; name: string },
  component: Component,
): Record<string, string> {
  return {
    [LABEL_NAME]: component,
    [LABEL_INSTANCE]: gateway.name,
    [LABEL_COMPONENT]: component,
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_GATEWAY]: gatewayLabelValue(gateway.namespace, gateway.name),
    [LABEL_PAYGRID_COMPONENT]: component,
  };
}

// ---------------------------------------------------------------- member keys

/**
 * Key of a member, "EdgeSite/edge-a" or "CloudCluster/cloud-eu": EdgeSites and
 * CloudClusters are separate name spaces. One format for the registry, the
 * planner, the controllers and the queues.
 */
export function memberKey(kind: string | undefined, name: string | undefined): string {
  return `${kind ?? ''}/${name ?? ''}`;
}

// ---------------------------------------------------------------- enums as types

export type ConditionStatus = Condition['status'];
export type MemberHealth = NonNullable<EdgeSiteStatus['health']>;
export type Distribution = NonNullable<EdgeSiteStatus['distribution']>;
export type Component = Placement['component'];
export type MemberKind = Placement['memberKind'];
export type PlacementState = Placement['state'];
export type FailoverMode = NonNullable<FailoverSpec['mode']>;
export type FallbackStep = NonNullable<FailoverSpec['fallback']>[number];
export type CloudProvider = NonNullable<CloudCluster['spec']['provider']>;
/** Any paygrid resource. */
export type PaygridObject = EdgeSite | CloudCluster | PaymentGateway;
/** A member the operator deploys to. */
export type Member = EdgeSite | CloudCluster;

/** Condition types of EdgeSite and CloudCluster. */
export const MemberConditionType = { Ready: 'Ready', Reachable: 'Reachable' } as const;
/** Condition types of PaymentGateway. */
export const GatewayConditionType = {
  Ready: 'Ready',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  FailedOver: 'FailedOver',
} as const;

// ---------------------------------------------------------------- defaults

/**
 * The CRD's defaults for spec.probe; the apiserver applies them, but objects
 * built in memory (tests, dry runs) may lack them. Kept equal to the CRD by a
 * unit test.
 */
export const PROBE_DEFAULTS: Readonly<Required<ProbeSpec>> = {
  periodSeconds: 2,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 2,
};

/** The CRD's defaults for PaymentGateway spec.failover (kept equal to the CRD by a unit test). */
export const FAILOVER_DEFAULTS: Readonly<Required<FailoverSpec>> = {
  mode: 'Automatic',
  detectionWindowSeconds: 6,
  fallback: ['SameRegionEdge', 'AnyEdge'],
  failbackStabilizationSeconds: 60,
  paused: false,
};

/** spec.probe with the CRD's defaults filled in. */
export function probeWithDefaults(probe: ProbeSpec | undefined): Required<ProbeSpec> {
  return { ...PROBE_DEFAULTS, ...stripUndefined(probe ?? {}) };
}

/** spec.failover with the CRD's defaults filled in. */
export function failoverWithDefaults(failover: FailoverSpec | undefined): Required<FailoverSpec> {
  const f = { ...FAILOVER_DEFAULTS, ...stripUndefined(failover ?? {}) };
  return { ...f, fallback: [...f.fallback] };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------- conditions

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of a type is present with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Returns conditions with `next` set, like apimachinery's
 * meta.SetStatusCondition: lastTransitionTime changes only when the status
 * does (otherwise the previous one is kept); other types are left in place.
 * Never mutates its input.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string },
  now: Date = new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    previous && previous.status === next.status
      ? previous.lastTransitionTime
      : (next.lastTransitionTime ?? toRfc3339(now));
  const condition: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = condition;
  else list.push(condition);
  return list;
}

/** RFC 3339 at second precision, as metav1.Time serializes (no milliseconds). */
export function toRfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

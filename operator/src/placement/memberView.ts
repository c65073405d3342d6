// Building the planner's MemberView from EdgeSite and CloudCluster objects, and the capacity other
// gateways reserve on each member.
import { isConditionTrue, MemberConditionType } from '../api/index.js';
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import { memberKey } from './placementRecords.js';
import type { MemberView } from './types.js';

/** EdgeSite spec.capacity.authorizationsPerSecond when the apiserver did not default it. */
export const DEFAULT_SITE_CAPACITY = 1000;
/** PaymentGateway spec.authorization.authorizationsPerSecond when the apiserver did not default it. */
export const DEFAULT_GATEWAY_AUTHORIZATIONS_PER_SECOND = 100;

/** The view of an EdgeSite; usedByOthers = auth/s other gateways reserve on it. */
export function edgeSiteView(site: EdgeSite, usedByOthers = 0): MemberView {
  const { spec, status } = site;
  return {
    name: site.metadata?.name ?? '',
    kind: 'EdgeSite',
    region: spec.region,
    ...(spec.zone ? { zone: spec.zone } : {}),
    labels: { ...(site.metadata?.labels ?? {}) },
    health: status?.health ?? 'Unknown',
    ...(status?.healthSince ? { healthSince: status.healthSince } : {}),
    ready: isConditionTrue(status?.conditions, MemberConditionType.Ready),
    cordoned: spec.cordoned ?? false,
    capacity: { authorizationsPerSecond: spec.capacity?.authorizationsPerSecond ?? DEFAULT_SITE_CAPACITY },
    usedByOthers: { authorizationsPerSecond: usedByOthers },
    endpoint: spec.endpoint,
    ...(spec.location
      ? { location: { latitude: spec.location.latitude, longitude: spec.location.longitude } }
      : {}),
  };
}

/** The view of a CloudCluster: no zone, never cordoned, capacity not limited. */
export function cloudClusterView(cluster: CloudCluster, usedByOthers = 0): MemberView {
  const { spec, status } = cluster;
  return {
    name: cluster.metadata?.name ?? '',
    kind: 'CloudCluster',
    region: spec.region,
    labels: { ...(cluster.metadata?.labels ?? {}) },
    health: status?.health ?? 'Unknown',
    ...(status?.healthSince ? { healthSince: status.healthSince } : {}),
    ready: isConditionTrue(status?.conditions, MemberConditionType.Ready),
    cordoned: false,
    usedByOthers: { authorizationsPerSecond: usedByOthers },
    ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
  };
}

/**
 * Authorizations per second reserved per member (keyed by memberKey(kind, name)) by the
 * authorization placements in the gateways' status, leaving out `exclude` (the gateway being
 * placed). Every state reserves: Lost and Draining workloads still exist and may serve again.
 */
export function authorizationReservations(
  gateways: readonly PaymentGateway[],
  exclude?: { readonly namespace: string; readonly name: string },
): Map<string, number> {
  const reserved = new Map<string, number>();
  for (const gw of gateways) {
    if (exclude && gw.metadata?.namespace === exclude.namespace && gw.metadata?.name === exclude.name)
      continue;
    const need = gw.spec.authorization.authorizationsPerSecond ?? DEFAULT_GATEWAY_AUTHORIZATIONS_PER_SECOND;
    const seen = new Set<string>();
    for (const p of gw.status?.placements ?? []) {
      if (p.component !== 'authorization') continue;
      const key = memberKey(p.memberKind, p.member);
      if (seen.has(key)) continue;
      seen.add(key);
      reserved.set(key, (reserved.get(key) ?? 0) + need);
    }
  }
  return reserved;
}

/**
 * Whether a member's update can change any gateway's plan: its spec (generation), its labels, or
 * what the planner reads of its status (health, Ready). The member controller rewrites status for
 * other reasons (placements held, probe latency); each of those re-enqueued every gateway, and every
 * gateway's status write re-enqueued the members — with N gateways, N passes per gateway write.
 */
export function memberChangeMattersToGateways(
  old: EdgeSite | CloudCluster,
  next: EdgeSite | CloudCluster,
): boolean {
  if (old.metadata?.generation !== next.metadata?.generation) return true;
  if (old.metadata?.deletionTimestamp !== next.metadata?.deletionTimestamp) return true;
  const view = (m: EdgeSite | CloudCluster) =>
    JSON.stringify(
      m.kind === 'CloudCluster' ? cloudClusterView(m as CloudCluster) : edgeSiteView(m as EdgeSite),
    );
  return view(old) !== view(next);
}

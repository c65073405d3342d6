// The planner's view of every member: the hub's EdgeSite/CloudCluster objects
// with health taken from the registry, which is fresher than their status.
import type { PaymentGateway } from '../../api/index.js';
import { memberKey, type MemberRegistry } from '../../members/index.js';
import {
  authorizationReservations,
  cloudClusterView,
  edgeSiteView,
  type MemberView,
} from '../../placement/index.js';
import type { HubInformers } from '../hub-informers.js';

export function memberViews(
  hub: HubInformers,
  registry: MemberRegistry,
  exclude?: PaymentGateway,
): MemberView[] {
  const reserved = authorizationReservations(
    hub.gateways.list(),
    exclude
      ? { namespace: exclude.metadata?.namespace ?? '', name: exclude.metadata?.name ?? '' }
      : undefined,
  );
  const withHealth = (v: MemberView): MemberView => {
    const snap = registry.get(memberKey(v.kind, v.name));
    if (!snap || snap.health.state === 'Unknown') return v;
    return { ...v, health: snap.health.state, healthSince: snap.health.since.toISOString() };
  };
  return [
    ...hub.edgeSites
      .list()
      .map((s) =>
        withHealth(edgeSiteView(s, reserved.get(memberKey('EdgeSite', s.metadata?.name ?? '')) ?? 0)),
      ),
    ...hub.cloudClusters
      .list()
      .map((c) =>
        withHealth(cloudClusterView(c, reserved.get(memberKey('CloudCluster', c.metadata?.name ?? '')) ?? 0)),
      ),
  ];
}

/** A member we can talk to now: probes pass or have only just started failing. */
export function isReachable(registry: MemberRegistry, key: string): boolean {
  const state = registry.get(key)?.health.state;
  return state === 'Healthy' || state === 'Suspect' || state === 'Recovering';
}

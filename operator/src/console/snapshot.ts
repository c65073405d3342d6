/**
 * What the console page receives: one document built from the hub caches, with only what the page
 * shows. Pure (no I/O), so what may leave the operator is decided and tested in one place: no
 * Secret, kubeconfig, Secret reference, condition or placement message (messages may name
 * internal hosts), only names, states, reasons, numbers and times.
 */
import { findCondition, type CloudCluster, type EdgeSite, type PaymentGateway } from '../api/index.js';
import { siteDocuments, type SiteDocument } from '../http/routes-api.js';
import { authorizationReservations, edgeSiteView, memberKey } from '../placement/index.js';
import { mergeTimeline } from './history.js';
import { gatewayTimeline, sortTimeline, type SiteLookup, type TimelineEntry } from './view.js';

export interface ConsoleSite extends SiteDocument {
  /** Authorizations per second: declared, reserved by placed gateways, left. Null: not limited. */
  capacity: { total: number; used: number; free: number } | null;
}

export interface ConsoleCondition {
  type: string;
  status: string;
  reason: string;
  lastTransitionTime: string | null;
}

export interface ConsolePlacement {
  component: string;
  member: string;
  memberKind: 'EdgeSite' | 'CloudCluster';
  state: string;
  since: string | null;
  reason: string | null;
  replacedMember: string | null;
  servingSince: string | null;
  replicas: number | null;
  readyReplicas: number | null;
}

export interface ConsoleGateway {
  namespace: string;
  name: string;
  epoch: number;
  /** The Ready condition is True. */
  ready: boolean;
  /** Members behind the routes, in priority order. */
  serving: string[];
  /** Members holding a Standby placement (ledger standbys). */
  standby: string[];
  conditions: ConsoleCondition[];
  placements: ConsolePlacement[];
}

export interface ConsoleSnapshot {
  generatedAt: string;
  sites: ConsoleSite[];
  gateways: ConsoleGateway[];
  /** Every failover the gateways' status shows, and the ones kept after it let go, newest first. */
  timeline: TimelineEntry[];
}

/** The timeline entries kept for a gateway ("namespace/name"), see history.ts. */
export type KeptTimeline = (gateway: string) => readonly TimelineEntry[] | undefined;

export function consoleSnapshot(
  gateways: readonly PaymentGateway[],
  edgeSites: readonly EdgeSite[],
  clouds: readonly CloudCluster[],
  now: string,
  kept: KeptTimeline = () => undefined,
): ConsoleSnapshot {
  const reserved = authorizationReservations(gateways);
  // The planner's view gives the capacity with the CRD's defaults applied.
  const declared = new Map(
    edgeSites.map((s) => [s.metadata?.name ?? '', edgeSiteView(s, 0).capacity?.authorizationsPerSecond]),
  );
  const sites = siteDocuments(edgeSites, clouds).map((d): ConsoleSite => {
    const total = d.kind === 'EdgeSite' ? declared.get(d.name) : undefined;
    const used = reserved.get(memberKey(d.kind, d.name)) ?? 0;
    return {
      ...d,
      capacity: total === undefined ? null : { total, used, free: Math.max(0, total - used) },
    };
  });
  const docs = gateways.map(gatewayDocument);
  docs.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  const byKey = new Map(sites.map((m) => [`${m.kind}/${m.name}`, m]));
  const site: SiteLookup = (kind, name) => byKey.get(`${kind}/${name}`);
  const timeline = sortTimeline(
    docs.flatMap((g) => {
      const key = `${g.namespace}/${g.name}`;
      return mergeTimeline(kept(key) ?? [], gatewayTimeline(g, site));
    }),
  );
  return { generatedAt: now, sites, gateways: docs, timeline };
}

export function gatewayDocument(gw: PaymentGateway): ConsoleGateway {
  const s = gw.status;
  const placements = (s?.placements ?? []).map((p): ConsolePlacement => ({
    component: p.component,
    member: p.member,
    memberKind: p.memberKind,
    state: p.state,
    since: p.since ?? null,
    reason: p.reason ?? null,
    replacedMember: p.replacedMember ?? null,
    servingSince: p.servingSince ?? null,
    replicas: p.replicas ?? null,
    readyReplicas: p.readyReplicas ?? null,
  }));
  return {
    namespace: gw.metadata?.namespace ?? '',
    name: gw.metadata?.name ?? '',
    epoch: s?.epoch ?? 0,
    ready: findCondition(s?.conditions, 'Ready')?.status === 'True',
    serving: (s?.routes ?? []).map((r) => r.member),
    standby: placements.filter((p) => p.state === 'Standby').map((p) => p.member),
    conditions: (s?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      lastTransitionTime: c.lastTransitionTime ?? null,
    })),
    placements,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

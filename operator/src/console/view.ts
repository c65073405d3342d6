/**
 * The console page's decisions, pure so they are unit-tested without a browser: sites grouped by
 * region and zone, gateways filtered and searched, and the failover timeline assembled from the
 * operator's own records (never a guessed time: a step whose time is not recorded says so).
 */
import type { ConsoleGateway, ConsolePlacement, ConsoleSite, ConsoleSnapshot } from './snapshot.js';

export interface ZoneGroup {
  zone: string;
  sites: ConsoleSite[];
}
export interface RegionGroup {
  region: string;
  zones: ZoneGroup[];
}

/** Sites by region, then zone (no zone last, as "(no zone)"), each by name. */
export function groupSites(sites: readonly ConsoleSite[]): RegionGroup[] {
  const regions = new Map<string, Map<string, ConsoleSite[]>>();
  for (const s of sites) {
    const zones = regions.get(s.region) ?? new Map<string, ConsoleSite[]>();
    regions.set(s.region, zones);
    const zone = s.zone ?? '';
    zones.set(zone, [...(zones.get(zone) ?? []), s]);
  }
  return [...regions.keys()].sort(compare).map((region) => {
    const zones = regions.get(region) ?? new Map<string, ConsoleSite[]>();
    const names = [...zones.keys()].sort((a, b) => Number(a === '') - Number(b === '') || compare(a, b));
    return {
      region,
      zones: names.map((zone) => ({
        zone: zone === '' ? '(no zone)' : zone,
        sites: [...(zones.get(zone) ?? [])].sort((a, b) => compare(a.name, b.name)),
      })),
    };
  });
}

export type GatewayStateFilter = 'all' | 'ready' | 'not-ready' | 'failed-over';

export const GATEWAY_STATE_FILTERS: readonly GatewayStateFilter[] = [
  'all',
  'ready',
  'not-ready',
  'failed-over',
];

export interface GatewayFilter {
  /** Words that must all appear in namespace/name or a member name (case-insensitive). */
  text: string;
  state: GatewayStateFilter;
}

export function isFailedOver(gw: ConsoleGateway): boolean {
  return gw.conditions.some((c) => c.type === 'FailedOver' && c.status === 'True');
}

/** The text a search matches against: "namespace/name" and every member the gateway is placed on. */
export function searchKey(gw: ConsoleGateway): string {
  return [`${gw.namespace}/${gw.name}`, ...gw.placements.map((p) => p.member)].join(' ').toLowerCase();
}

/**
 * The gateways that pass the filter, in their order. Keys are passed in (built once per snapshot)
 * so typing in the search box does not rebuild 1,000 strings per key press.
 */
export function filterGateways(
  gateways: readonly ConsoleGateway[],
  filter: GatewayFilter,
  keys: readonly string[] = gateways.map(searchKey),
): ConsoleGateway[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return gateways.filter((gw, i) => {
    if (filter.state === 'ready' && !gw.ready) return false;
    if (filter.state === 'not-ready' && gw.ready) return false;
    if (filter.state === 'failed-over' && !isFailedOver(gw)) return false;
    const key = keys[i] ?? searchKey(gw);
    return words.every((w) => key.includes(w));
  });
}

/** Rows a page of the gateway list shows: enough to scan, few enough to render within a frame. */
export const GATEWAY_PAGE_SIZE = 50;

export interface PageSlice {
  /** Index of the first item shown, and one past the last. */
  start: number;
  end: number;
  /** The page shown (clamped into range), from 0, and how many there are (at least 1). */
  page: number;
  pages: number;
}

/** The page `page` of `count` items, `size` a page; a page past the end shows the last one. */
export function pageSlice(count: number, page: number, size = GATEWAY_PAGE_SIZE): PageSlice {
  const pages = Math.max(1, Math.ceil(count / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { start: p * size, end: Math.min(count, (p + 1) * size), page: p, pages };
}

/** Timeline entries the page lists at most: the newest, as the rest are seldom what one looks for. */
export const TIMELINE_LIMIT = 20;

/**
 * The timeline entries whose gateway or members match every word of the search (as the gateway
 * list does), newest first, at most `limit`; and how many matched.
 */
export function searchTimeline(
  entries: readonly TimelineEntry[],
  text: string,
  limit = TIMELINE_LIMIT,
): { shown: TimelineEntry[]; matching: number } {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = entries.filter((e) => {
    const key = `${e.gateway} ${e.from} ${e.to ?? ''}`.toLowerCase();
    return words.every((w) => key.includes(w));
  });
  return { shown: matching.slice(0, Math.max(0, limit)), matching: matching.length };
}

export type StepName = 'lost' | 'detected' | 'placed' | 'serving' | 'failback' | 'returned';

export interface TimelineStep {
  step: StepName;
  label: string;
  /** RFC 3339, from a record; null when the operator keeps none (see note). */
  at: string | null;
  /** Why there is no time, when at is null. */
  note?: string;
}

export interface TimelineEntry {
  gateway: string;
  /** The member that was lost. */
  from: string;
  /** The member standing in, or null when none could be found. */
  to: string | null;
  steps: TimelineStep[];
  /** Seconds from the first recorded step to serving, when both are recorded. */
  totalSeconds: number | null;
  /**
   * True while the gateway's status still shows the failover (a Lost placement, or a stand-in for
   * the lost member); false for an entry the console kept after the status let go of it.
   */
  live: boolean;
}

/** Looks a site up by kind and name (a map in tests, the informer caches in the operator). */
export type SiteLookup = (
  kind: 'EdgeSite' | 'CloudCluster',
  name: string,
) => Pick<ConsoleSite, 'health' | 'healthSince'> | undefined;

/**
 * One entry per lost authorization placement and per stand-in, newest first: the live entries the
 * gateways' status shows now (see gatewayTimeline).
 */
export function failoverTimeline(snapshot: Pick<ConsoleSnapshot, 'sites' | 'gateways'>): TimelineEntry[] {
  const sites = new Map(snapshot.sites.map((s) => [`${s.kind}/${s.name}`, s]));
  const lookup: SiteLookup = (kind, name) => sites.get(`${kind}/${name}`);
  return sortTimeline(snapshot.gateways.flatMap((gw) => gatewayTimeline(gw, lookup)));
}

/** Newest first (by the latest recorded step), then by gateway. */
export function sortTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  const latest = (e: TimelineEntry) => Math.max(0, ...e.steps.map((s) => (s.at ? Date.parse(s.at) : 0)));
  return entries.sort((a, b) => latest(b) - latest(a) || compare(a.gateway, b.gateway));
}

/** A stand-in for a member: serving (FailoverTarget) or draining after it served. */
const standsIn = (p: ConsolePlacement, root: string): boolean =>
  p.replacedMember === root && (p.state === 'FailoverTarget' || p.state === 'Draining');

/**
 * The failovers one gateway's status shows now. The times, each from the operator's records:
 *  - lost: when the site's probes declared it Unreachable (its status healthSince, while it still is);
 *  - detected: when the gateway marked its placement there Lost (that placement's since);
 *  - placed: when the stand-in placement was made (the FailoverTarget's since);
 *  - serving: when the stand-in was first seen serving (its servingSince);
 *  - failback: when authorization went back to the lost member (its Active placement with reason
 *    Failback, since);
 *  - returned: when the member served again and the stand-in began to drain (the stand-in's
 *    Draining placement with reason FailedBack, since).
 * Each record lasts only as long as the status keeps it; history.ts keeps them after that.
 */
export function gatewayTimeline(gw: ConsoleGateway, site: SiteLookup): TimelineEntry[] {
  const auth = gw.placements.filter((p) => p.component === 'authorization');
  const roots = new Set([
    ...auth
      .filter((p) => p.replacedMember !== null && standsIn(p, p.replacedMember))
      .map((p) => p.replacedMember ?? ''),
    ...auth.filter((p) => p.state === 'Lost').map((p) => p.member),
  ]);
  return [...roots].sort(compare).map((root) => {
    const lost = auth.find((p) => p.member === root && p.state === 'Lost');
    const kind = lost?.memberKind ?? 'EdgeSite';
    const found = site(kind, root) ?? site('CloudCluster', root);
    // The serving stand-in first; a draining one only tells when the failback completed.
    const target =
      auth.find((p) => p.replacedMember === root && p.state === 'FailoverTarget') ??
      auth.find((p) => standsIn(p, root));
    const back = auth.find((p) => p.member === root && p.state === 'Active' && p.reason === 'Failback');
    const drained = auth.find(
      (p) => standsIn(p, root) && p.state === 'Draining' && p.reason === 'FailedBack',
    );
    return entry(`${gw.namespace}/${gw.name}`, root, found, lost, target, back, drained);
  });
}

function entry(
  gateway: string,
  root: string,
  site: Pick<ConsoleSite, 'health' | 'healthSince'> | undefined,
  lost: ConsolePlacement | undefined,
  target: ConsolePlacement | undefined,
  back: ConsolePlacement | undefined,
  drained: ConsolePlacement | undefined,
): TimelineEntry {
  const unreachable = site?.health === 'Unreachable';
  const steps: TimelineStep[] = [
    unreachable && site.healthSince
      ? { step: 'lost', label: `${root} unreachable`, at: site.healthSince }
      : {
          step: 'lost',
          label: `${root} lost`,
          at: null,
          note:
            site === undefined
              ? `${root} no longer exists`
              : `${root} is ${site.health} now; the operator keeps no time of the loss (the workload failed, or the site came back)`,
        },
    lost?.since
      ? { step: 'detected', label: `placement on ${root} marked Lost`, at: lost.since }
      : {
          step: 'detected',
          label: `placement on ${root} marked Lost`,
          at: null,
          note: 'no Lost placement recorded',
        },
    target?.since && target.state === 'FailoverTarget'
      ? { step: 'placed', label: `${target.member} placed as FailoverTarget`, at: target.since }
      : {
          step: 'placed',
          label: target ? `${target.member} placed as FailoverTarget` : 'new placement',
          at: null,
          note: target
            ? 'the stand-in is draining; its placement time is gone'
            : 'no site could stand in (see Degraded)',
        },
    target?.servingSince
      ? { step: 'serving', label: `${target.member} serving`, at: target.servingSince }
      : {
          step: 'serving',
          label: target ? `${target.member} serving` : 'serving',
          at: null,
          note:
            target?.state === 'Draining'
              ? 'the stand-in is draining; its serving time is gone'
              : target
                ? 'not serving yet'
                : 'nothing to serve',
        },
    back?.since
      ? { step: 'failback', label: `authorization back to ${root}`, at: back.since }
      : {
          step: 'failback',
          label: `authorization back to ${root}`,
          at: null,
          note: 'not started (after the site stays Healthy for the failback stabilization window)',
        },
    drained?.since
      ? { step: 'returned', label: `${root} serving again, ${drained.member} draining`, at: drained.since }
      : { step: 'returned', label: `${root} serving again`, at: null, note: 'not yet' },
  ];
  return withTotal({
    gateway,
    from: root,
    to: target?.member ?? null,
    steps,
    totalSeconds: null,
    live: true,
  });
}

/** Sets totalSeconds: from the first recorded step to serving, when both are recorded. */
export function withTotal(e: TimelineEntry): TimelineEntry {
  const first = e.steps.find((s) => s.at !== null)?.at;
  const served = e.steps.find((s) => s.step === 'serving')?.at;
  return {
    ...e,
    totalSeconds:
      first && served ? Math.max(0, Math.round((Date.parse(served) - Date.parse(first)) / 100) / 10) : null,
  };
}

/** "12 s ago", "3 min ago", … for a time in the past, from now (both in ms). */
export function ago(at: string | null, nowMs: number): string {
  if (at === null) return 'never';
  const s = Math.max(0, Math.round((nowMs - Date.parse(at)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// What kubectl-paygrid's commands compute, given what they read from the hub: pure functions of
// (gateways, sites, time), so they are unit-tested without a cluster. The entry
// (kubectl-paygrid.ts) reads, calls these, prints, and writes.
import {
  failoverWithDefaults,
  type CloudCluster,
  type EdgeSite,
  type PaymentGateway,
  type Placement,
} from '../api/index.js';
import {
  assumedSignals,
  dryRunSiteFailure,
  planGateway,
  planMove,
  type MoveResult,
} from '../failover/index.js';
import {
  authorizationReservations,
  cloudClusterView,
  edgeSiteView,
  listText,
  memberKey,
  type MemberView,
} from '../placement/index.js';
import type { SiteArg } from './args.js';
import {
  isMoveRequestError,
  isMoveRequestExpired,
  MOVE_REQUEST_ANNOTATION,
  parseMoveRequest,
  type MoveRequestAnnotation,
} from '../api/move-request.js';

export interface HubSnapshot {
  /** Every gateway the user may list (all namespaces when allowed): they reserve capacity. */
  readonly gateways: readonly PaymentGateway[];
  readonly edgeSites: readonly EdgeSite[];
  readonly cloudClusters: readonly CloudCluster[];
}

const gwKey = (gw: PaymentGateway): string => `${gw.metadata?.namespace ?? ''}/${gw.metadata?.name ?? ''}`;

/**
 * The planner's view of every member, as the operator builds it (without its live probe registry:
 * health comes from the sites' status), with the capacity the other gateways reserve.
 */
export function memberViewsFor(hub: HubSnapshot, exclude?: PaymentGateway): MemberView[] {
  const reserved = authorizationReservations(
    hub.gateways,
    exclude
      ? { namespace: exclude.metadata?.namespace ?? '', name: exclude.metadata?.name ?? '' }
      : undefined,
  );
  return [
    ...hub.edgeSites.map((s) =>
      edgeSiteView(s, reserved.get(memberKey('EdgeSite', s.metadata?.name ?? '')) ?? 0),
    ),
    ...hub.cloudClusters.map((c) =>
      cloudClusterView(c, reserved.get(memberKey('CloudCluster', c.metadata?.name ?? '')) ?? 0),
    ),
  ];
}

export type ResolvedSite =
  | { readonly kind: 'EdgeSite'; readonly name: string; readonly object: EdgeSite }
  | { readonly kind: 'CloudCluster'; readonly name: string; readonly object: CloudCluster };

/** The member a SiteArg names: an EdgeSite first when no kind is given. */
export function resolveSite(
  hub: Pick<HubSnapshot, 'edgeSites' | 'cloudClusters'>,
  site: SiteArg,
): ResolvedSite | undefined {
  if (site.kind !== 'CloudCluster') {
    const es = hub.edgeSites.find((s) => s.metadata?.name === site.name);
    if (es) return { kind: 'EdgeSite', name: site.name, object: es };
  }
  if (site.kind !== 'EdgeSite') {
    const cc = hub.cloudClusters.find((c) => c.metadata?.name === site.name);
    if (cc) return { kind: 'CloudCluster', name: site.name, object: cc };
  }
  return undefined;
}

/** "no EdgeSite named x", "no EdgeSite or CloudCluster named x". */
export function siteNotFound(site: SiteArg): string {
  return `no ${site.kind ?? 'EdgeSite or CloudCluster'} named ${site.name}`;
}

/** The gateway's placements on a member. */
export function placementsOn(gw: PaymentGateway, kind: string, name: string): Placement[] {
  return (gw.status?.placements ?? []).filter((p) => p.member === name && p.memberKind === kind);
}

function siteState(site: ResolvedSite): string {
  const s = site.object.status;
  const ready = s?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const cordoned = site.kind === 'EdgeSite' && site.object.spec.cordoned ? ', cordoned' : '';
  return `${s?.health ?? 'Unknown'}, Ready ${ready}${cordoned}`;
}

export interface DrillReport {
  readonly ok: boolean;
  readonly text: string;
}

/** `kubectl paygrid drill`: dryRunSiteFailure for every gateway placed on the site. */
export function drillReport(hub: HubSnapshot, site: SiteArg, now: string, namespace?: string): DrillReport {
  const resolved = resolveSite(hub, site);
  if (resolved === undefined) return { ok: false, text: `${siteNotFound(site)}: nothing to drill` };
  const placed = hub.gateways
    .filter((gw) => namespace === undefined || gw.metadata?.namespace === namespace)
    .filter((gw) => placementsOn(gw, resolved.kind, resolved.name).length > 0)
    .sort((a, b) => (gwKey(a) < gwKey(b) ? -1 : gwKey(a) > gwKey(b) ? 1 : 0));
  const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
  const head = `drill: ${resolved.kind} ${resolved.name} (${siteState(resolved)}) fails now`;
  if (placed.length === 0) {
    return {
      ok: true,
      text: `${head}\n\nno PaymentGateway${where} is placed on ${resolved.name}: nothing would change.`,
    };
  }
  const sections = placed.map((gw) => {
    const result = dryRunSiteFailure(
      gw,
      memberViewsFor(hub, gw),
      { kind: resolved.kind, name: resolved.name },
      now,
    );
    return result.lines.join('\n');
  });
  const n = placed.length;
  return {
    ok: true,
    text: [
      `${head}: ${n} PaymentGateway${n === 1 ? '' : 's'}${where} placed there`,
      ...sections,
      'This was a drill: nothing was changed.',
    ].join('\n\n'),
  };
}

const describePlacement = (p: Placement): string =>
  `${p.state}${p.replacedMember ? ` for ${p.replacedMember}` : ''}${p.reason ? ` (${p.reason})` : ''}`;

/** Lines describing how a plan changes a gateway's placements. */
function planChanges(gw: PaymentGateway, plan: ReturnType<typeof planGateway>): string[] {
  const key = (p: Placement): string => `${p.component}|${memberKey(p.memberKind, p.member)}`;
  const before = new Map((gw.status?.placements ?? []).map((p) => [key(p), p]));
  const lines: string[] = [];
  for (const p of plan.placements) {
    const was = before.get(key(p));
    if (was === undefined) lines.push(`  add ${p.component} on ${p.member}: ${describePlacement(p)}`);
    else if (was.state !== p.state || was.replacedMember !== p.replacedMember) {
      lines.push(`  ${p.component} on ${p.member}: ${was.state} → ${describePlacement(p)}`);
    }
  }
  for (const r of plan.removed)
    lines.push(`  drop ${r.placement.component} on ${r.placement.member} (${r.reason})`);
  for (const p of plan.problems.filter((x) => x.severity === 'Error'))
    lines.push(`  report ${p.reason}: ${p.message}`);
  if (plan.epoch !== (gw.status?.epoch ?? 0)) lines.push(`  epoch ${gw.status?.epoch ?? 0} → ${plan.epoch}`);
  return lines;
}

/**
 * What cordoning an EdgeSite would do: planGateway, for every gateway placed there, with the site
 * cordoned. Make-before-break: replacements are added first; the site's placements drain once they
 * serve.
 */
export function cordonPreview(hub: HubSnapshot, siteName: string, now: string): string[] {
  const placed = hub.gateways.filter((gw) => placementsOn(gw, 'EdgeSite', siteName).length > 0);
  if (placed.length === 0) return [`no PaymentGateway is placed on ${siteName}: nothing moves.`];
  const lines: string[] = [];
  for (const gw of [...placed].sort((a, b) => (gwKey(a) < gwKey(b) ? -1 : 1))) {
    const f = failoverWithDefaults(gw.spec.failover);
    if (f.paused) {
      lines.push(`${gwKey(gw)}: paused (spec.failover.paused): nothing moves until it is false`);
      continue;
    }
    const members = memberViewsFor(hub, gw).map((m) =>
      m.kind === 'EdgeSite' && m.name === siteName ? { ...m, cordoned: true, ready: false } : m,
    );
    const plan = planGateway({ gateway: gw, members, workloads: assumedSignals(gw, members), now });
    const changes = planChanges(gw, plan);
    lines.push(`${gwKey(gw)} would:`);
    lines.push(...(changes.length ? changes : ['  change nothing now']));
  }
  lines.push(`placements on ${siteName} drain only once their replacements serve (make-before-break).`);
  return lines;
}

/** What uncordoning an EdgeSite lets happen: failback of the gateways that left it. */
export function uncordonPreview(hub: HubSnapshot, siteName: string): string[] {
  const lines: string[] = [];
  for (const gw of [...hub.gateways].sort((a, b) => (gwKey(a) < gwKey(b) ? -1 : 1))) {
    const standIns = (gw.status?.placements ?? []).filter(
      (p) => p.component === 'authorization' && p.replacedMember === siteName && p.state !== 'Draining',
    );
    if (standIns.length === 0) continue;
    const f = failoverWithDefaults(gw.spec.failover);
    const on = listText(standIns.map((p) => p.member));
    if (f.paused) lines.push(`${gwKey(gw)}: stays on ${on}: paused (spec.failover.paused)`);
    else if (f.mode === 'Manual') {
      lines.push(
        `${gwKey(gw)}: stays on ${on} (Manual mode): move it back with ` +
          `kubectl paygrid move ${gw.metadata?.name ?? ''} -n ${gw.metadata?.namespace ?? ''} --from ${standIns[0]?.member ?? ''} --to ${siteName}`,
      );
    } else {
      lines.push(
        `${gwKey(gw)}: moves back from ${on} once ${siteName} has been Healthy for ` +
          `${f.failbackStabilizationSeconds}s, make-before-break`,
      );
    }
  }
  if (lines.length === 0)
    lines.push(`no gateway is standing in for ${siteName}: new placements may come here.`);
  return lines;
}

/** A move request already on the gateway that a new one must not overwrite, as an error message. */
export function pendingMoveError(gw: PaymentGateway, now: Date): string | undefined {
  const value = gw.metadata?.annotations?.[MOVE_REQUEST_ANNOTATION];
  if (value === undefined) return undefined;
  const req = parseMoveRequest(value);
  if (isMoveRequestError(req) || isMoveRequestExpired(req, now)) return undefined;
  return (
    `a move request is already pending on ${gwKey(gw)}: ${req.from} → ${req.to} (id ${req.id}, requested ${req.requestedAt}); ` +
    `wait for the operator to take it, or withdraw it: kubectl annotate paymentgateway ${gw.metadata?.name ?? ''} ` +
    `-n ${gw.metadata?.namespace ?? ''} ${MOVE_REQUEST_ANNOTATION}-`
  );
}

/** planMove with the live members: the local check before a move is requested. */
export function checkMove(
  hub: HubSnapshot,
  gw: PaymentGateway,
  from: string,
  to: string,
  now: string,
): MoveResult {
  return planMove(gw, memberViewsFor(hub, gw), { from, to }, now);
}

export type MoveProgress =
  | { readonly phase: 'pending' | 'moving'; readonly text: string }
  | { readonly phase: 'done'; readonly text: string }
  | { readonly phase: 'rejected'; readonly text: string };

const SERVING: readonly Placement['state'][] = ['Active', 'FailoverTarget'];

/**
 * Where a requested move stands, from the gateway as now read: done when `to` serves (Active or
 * FailoverTarget, and in the routes) and `from` is gone, Draining or Lost; rejected when the operator
 * removed the request without adding `to`, or another request replaced it.
 */
export function moveProgress(gw: PaymentGateway, req: MoveRequestAnnotation): MoveProgress {
  const auth = (gw.status?.placements ?? []).filter((p) => p.component === 'authorization');
  const toP = auth.find((p) => p.member === req.to && p.state !== 'Draining' && p.state !== 'Lost');
  const fromP = auth.find((p) => p.member === req.from);
  const annotation = gw.metadata?.annotations?.[MOVE_REQUEST_ANNOTATION];
  if (annotation !== undefined) {
    const current = parseMoveRequest(annotation);
    if (!isMoveRequestError(current) && current.id !== req.id) {
      return { phase: 'rejected', text: `another move request (id ${current.id}) replaced this one` };
    }
    if (toP === undefined) return { phase: 'pending', text: 'waiting for the operator to take the request' };
  }
  if (toP === undefined) {
    return { phase: 'rejected', text: 'the operator removed the request without adding the placement' };
  }
  const toServes = SERVING.includes(toP.state) && (gw.status?.routes ?? []).some((r) => r.member === req.to);
  const fromLeft = fromP === undefined || fromP.state === 'Draining' || fromP.state === 'Lost';
  const ready = `${toP.readyReplicas ?? 0}/${toP.replicas ?? '?'} ready`;
  const fromText = fromP === undefined ? 'gone' : fromP.state;
  if (toServes && fromLeft) {
    return { phase: 'done', text: `${req.to} serves (${toP.state}, ${ready}); ${req.from}: ${fromText}` };
  }
  return {
    phase: 'moving',
    text: `${req.to}: ${toP.state}, ${ready}${toServes ? ', serving' : ''}; ${req.from}: ${fromText}`,
  };
}

/**
 * The pod of a leader Lease's holder: the operator's identity is "<pod name>_<uuid>"
 * (manager.ts), so the pod name is what comes before the last "_". Undefined when nobody leads.
 */
export function leaderPodName(holderIdentity: string | undefined | null): string | undefined {
  if (!holderIdentity) return undefined;
  const cut = holderIdentity.lastIndexOf('_');
  const pod = cut < 0 ? holderIdentity : holderIdentity.slice(0, cut);
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(pod) ? pod : undefined;
}

/** The local port kubectl port-forward chose, from its "Forwarding from 127.0.0.1:PORT -> 8082" line. */
export function forwardedPort(line: string): number | undefined {
  const m = /^Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(line.trim());
  return m ? Number(m[1]) : undefined;
}

/** The command that opens a URL in the user's browser on this platform, if it has one. */
export function browserOpener(platform: string): string | undefined {
  if (platform === 'darwin') return 'open';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'xdg-open';
  return undefined;
}

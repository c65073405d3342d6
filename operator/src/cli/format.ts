// Text output of kubectl-paygrid, in kubectl's style: upper-case headers, columns three spaces
// apart, <none> for nothing, ages like `5m12s`. Pure.
import {
  failoverWithDefaults,
  findCondition,
  GatewayConditionType,
  MemberConditionType,
  type CloudCluster,
  type EdgeSite,
  type PaymentGateway,
} from '../api/index.js';

const NONE = '<none>';

/** Columns left-aligned, three spaces apart, no trailing blanks. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** apimachinery's HumanDuration: 45s, 3m12s, 45m, 5h3m, 20h, 3d5h, 45d, 3y. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** Age of an RFC 3339 time at `now`, or <unknown>. */
export function age(time: string | Date | undefined, now: Date): string {
  if (time === undefined) return '<unknown>';
  const t = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

const orNone = (v: string | number | undefined | null): string =>
  v === undefined || v === null || v === '' ? NONE : String(v);

const byNamespaceName = (a: PaymentGateway, b: PaymentGateway): number => {
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
const byName = (a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }): number => {
  const ka = a.metadata?.name ?? '';
  const kb = b.metadata?.name ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Automatic / Manual, with ",Paused" when spec.failover.paused. */
export function gatewayMode(gw: PaymentGateway): string {
  const f = failoverWithDefaults(gw.spec.failover);
  return f.paused ? `${f.mode},Paused` : f.mode;
}

export interface StatusInput {
  readonly gateways: readonly PaymentGateway[];
  readonly edgeSites: readonly EdgeSite[];
  readonly cloudClusters: readonly CloudCluster[];
  /** Add a NAMESPACE column (the gateways come from every namespace). */
  readonly allNamespaces: boolean;
  /** The namespace listed, for "No PaymentGateways found in namespace x." */
  readonly namespace?: string;
  readonly now: Date;
}

export function gatewaysTable(input: StatusInput): string {
  const { gateways, allNamespaces, now } = input;
  if (gateways.length === 0) {
    return allNamespaces || input.namespace === undefined
      ? 'No PaymentGateways found.'
      : `No PaymentGateways found in namespace ${input.namespace}.`;
  }
  const headers = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'GATEWAY',
    'READY',
    'SERVING',
    'EPOCH',
    'FAILEDOVER',
    'MODE',
    'AGE',
  ];
  const rows = [...gateways].sort(byNamespaceName).map((gw) => {
    const s = gw.status;
    const serving = s?.serving || (s?.routes ?? []).map((r) => r.member).join(',');
    return [
      ...(allNamespaces ? [gw.metadata?.namespace ?? ''] : []),
      gw.metadata?.name ?? '',
      findCondition(s?.conditions, GatewayConditionType.Ready)?.status ?? 'Unknown',
      orNone(serving),
      String(s?.epoch ?? 0),
      findCondition(s?.conditions, GatewayConditionType.FailedOver)?.status ?? 'Unknown',
      gatewayMode(gw),
      age(gw.metadata?.creationTimestamp, now),
    ];
  });
  return renderTable(headers, rows);
}

export function sitesTable(input: Pick<StatusInput, 'edgeSites' | 'cloudClusters' | 'now'>): string {
  const members: { kind: string; m: EdgeSite | CloudCluster; cordoned: boolean; zone?: string }[] = [
    ...[...input.edgeSites]
      .sort(byName)
      .map((m) => ({ kind: 'EdgeSite', m, cordoned: m.spec.cordoned ?? false, zone: m.spec.zone })),
    ...[...input.cloudClusters].sort(byName).map((m) => ({ kind: 'CloudCluster', m, cordoned: false })),
  ];
  if (members.length === 0) return 'No EdgeSites or CloudClusters found.';
  const headers = ['SITE', 'KIND', 'REGION', 'ZONE', 'HEALTH', 'READY', 'PLACEMENTS', 'VERSION', 'AGE'];
  const rows = members.map(({ kind, m, cordoned, zone }) => {
    const s = m.status;
    const health = s?.health ?? 'Unknown';
    return [
      m.metadata?.name ?? '',
      kind,
      m.spec.region,
      orNone(zone),
      cordoned ? `${health},Cordoned` : health,
      findCondition(s?.conditions, MemberConditionType.Ready)?.status ?? 'Unknown',
      String(s?.placements ?? 0),
      orNone(s?.kubernetesVersion),
      age(m.metadata?.creationTimestamp, input.now),
    ];
  });
  return renderTable(headers, rows);
}

export function placementsTable(input: StatusInput): string {
  const rows: string[][] = [];
  for (const gw of [...input.gateways].sort(byNamespaceName)) {
    for (const p of gw.status?.placements ?? []) {
      rows.push([
        ...(input.allNamespaces ? [gw.metadata?.namespace ?? ''] : []),
        gw.metadata?.name ?? '',
        p.component,
        p.member,
        p.replacedMember ? `${p.state} (for ${p.replacedMember})` : p.state,
        p.replicas === undefined ? NONE : `${p.readyReplicas ?? 0}/${p.replicas}`,
        orNone(p.reason),
        age(p.since, input.now),
      ]);
    }
  }
  if (rows.length === 0) return input.gateways.length === 0 ? '' : 'No placements yet.';
  const headers = [
    ...(input.allNamespaces ? ['NAMESPACE'] : []),
    'GATEWAY',
    'COMPONENT',
    'MEMBER',
    'STATE',
    'READY',
    'REASON',
    'SINCE',
  ];
  return renderTable(headers, rows);
}

/** `kubectl paygrid status`: gateways, sites and placements, blank lines between. */
export function statusView(input: StatusInput): string {
  return [gatewaysTable(input), sitesTable(input), placementsTable(input)]
    .filter((t) => t !== '')
    .join('\n\n');
}

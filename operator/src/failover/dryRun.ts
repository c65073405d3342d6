// What the planner would do if one member died now (kubectl paygrid drill): planGateway with that
// member Unreachable, changing nothing, plus a summary a person reads.
import type { MemberKind, PaymentGateway, Placement } from '../api/index.js';
import { describeMember, listText, memberKey, type MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { servingRoutes } from './routes.js';
import type { GatewayPlan, WorkloadSignal } from './types.js';

export interface DrillResult {
  /** The plan the next pass would make, had the member died. */
  readonly plan: GatewayPlan;
  /** One line per change, problem, epoch and routes. */
  readonly lines: string[];
  readonly summary: string;
}

export type SiteRef = string | { readonly kind: MemberKind; readonly name: string };

/**
 * Signals for a drill when the caller has none: every workload in status is taken as available where
 * its member is reachable.
 */
export function assumedSignals(gateway: PaymentGateway, members: readonly MemberView[]): WorkloadSignal[] {
  const byKey = new Map(members.map((m) => [memberKey(m.kind, m.name), m]));
  return (gateway.status?.placements ?? []).map((p) => {
    const reachable = byKey.get(memberKey(p.memberKind, p.member))?.health !== 'Unreachable';
    return {
      member: p.member,
      memberKind: p.memberKind,
      component: p.component,
      observed: reachable,
      available: reachable,
      present: true,
    };
  });
}

export function dryRunSiteFailure(
  gateway: PaymentGateway,
  members: readonly MemberView[],
  site: SiteRef,
  now: string,
  workloads?: readonly WorkloadSignal[],
): DrillResult {
  const name = typeof site === 'string' ? site : site.name;
  const victim =
    typeof site === 'string'
      ? (members.find((m) => m.name === name && m.kind === 'EdgeSite') ??
        members.find((m) => m.name === name))
      : members.find((m) => m.name === name && m.kind === site.kind);
  const signals = workloads ?? assumedSignals(gateway, members);
  const gw = `${gateway.metadata?.namespace ?? ''}/${gateway.metadata?.name ?? ''}`;
  if (victim === undefined) {
    const plan = planGateway({ gateway, members, workloads: signals, now });
    const lines = [`no EdgeSite or CloudCluster is named ${name}: nothing to drill`];
    return { plan, lines, summary: lines.join('\n') };
  }
  const dead = (m: { kind: string; name: string }) => m.kind === victim.kind && m.name === victim.name;
  const downMembers = members.map((m) =>
    dead(m) ? { ...m, health: 'Unreachable' as const, healthSince: now, ready: false } : m,
  );
  const downSignals = [
    ...signals.filter((s) => !(s.member === victim.name && (s.memberKind ?? victim.kind) === victim.kind)),
    ...(gateway.status?.placements ?? [])
      .filter((p) => dead({ kind: p.memberKind, name: p.member }))
      .map((p) => ({
        member: p.member,
        memberKind: p.memberKind,
        component: p.component,
        observed: false,
        available: false,
      })),
  ];
  const plan = planGateway({ gateway, members: downMembers, workloads: downSignals, now });

  const lines = [`if ${describeMember(victim)} failed now, ${gw} would:`];
  const before = new Map(
    (gateway.status?.placements ?? []).map((p) => [`${p.component}|${memberKey(p.memberKind, p.member)}`, p]),
  );
  const after = new Map(
    plan.placements.map((p) => [`${p.component}|${memberKey(p.memberKind, p.member)}`, p]),
  );
  const describe = (p: Placement): string =>
    `${p.state}${p.replacedMember ? ` for ${p.replacedMember}` : ''} (${p.reason ?? ''})`;
  for (const [key, p] of after) {
    const was = before.get(key);
    if (was === undefined)
      lines.push(`  add ${p.component} on ${p.member}: ${describe(p)}: ${p.message ?? ''}`);
    else if (was.state !== p.state || was.replacedMember !== p.replacedMember) {
      lines.push(`  ${p.component} on ${p.member}: ${was.state} → ${describe(p)}`);
    }
  }
  for (const r of plan.removed)
    lines.push(`  drop ${r.placement.component} on ${r.placement.member} (${r.reason})`);
  if (lines.length === 1) {
    const holds = (gateway.status?.placements ?? []).some((p) =>
      dead({ kind: p.memberKind, name: p.member }),
    );
    lines.push(holds ? '  change nothing' : `  change nothing: ${victim.name} holds none of its placements`);
  }
  for (const p of plan.problems.filter((x) => x.severity === 'Error')) {
    lines.push(`  report ${p.reason}: ${p.message}`);
  }
  lines.push(`  epoch ${gateway.status?.epoch ?? 0} → ${plan.epoch}`);
  const routesBefore = servingRoutes(gateway.status?.placements ?? [], members, signals).map((r) => r.member);
  const routesAfter = servingRoutes(plan.placements, downMembers, downSignals).map((r) => r.member);
  const joining = plan.placements
    .filter(
      (p) =>
        p.component === 'authorization' && p.state === 'FailoverTarget' && !routesAfter.includes(p.member),
    )
    .map((p) => p.member);
  lines.push(
    `  routes: ${listText(routesBefore)} now; ${routesAfter.length ? listText(routesAfter) : 'none'} at once` +
      (joining.length ? `, then ${listText(joining)} once available` : ''),
  );
  if (workloads === undefined) lines.push('  (assuming every other workload is available)');
  return { plan, lines, summary: lines.join('\n') };
}

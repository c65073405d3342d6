// The routes terminals and load balancers use: serving authorization placements (Active or
// FailoverTarget) whose workload is available, Active first, then by name. A lost site leaves them
// at once (it is not Active any more, and its workload is not observed); a replacement joins as
// soon as its workload is available. Shared by the controller (status.routes) and the routes API.
import type { Placement, Route } from '../api/index.js';
import { compareStrings, memberKey, type MemberView } from '../placement/index.js';
import { indexSignals, isAvailable } from './signals.js';
import type { WorkloadSignal } from './types.js';

const RANK: Partial<Record<Placement['state'], number>> = { Active: 0, FailoverTarget: 1 };

export function servingRoutes(
  placements: readonly Placement[],
  members: readonly MemberView[],
  workloads: readonly WorkloadSignal[],
): Route[] {
  const signal = indexSignals(workloads);
  const byKey = new Map(members.map((m) => [memberKey(m.kind, m.name), m]));
  const seen = new Set<string>();
  return placements
    .filter((p) => p.component === 'authorization' && RANK[p.state] !== undefined)
    .flatMap((p) => {
      const member = byKey.get(memberKey(p.memberKind, p.member));
      if (member === undefined || member.health === 'Unreachable' || !member.endpoint) return [];
      if (!isAvailable(signal(member.kind, member.name, 'authorization'))) return [];
      if (seen.has(memberKey(member.kind, member.name))) return [];
      seen.add(memberKey(member.kind, member.name));
      return [{ placement: p, endpoint: member.endpoint }];
    })
    .sort(
      (a, b) =>
        (RANK[a.placement.state] ?? 2) - (RANK[b.placement.state] ?? 2) ||
        compareStrings(a.placement.member, b.placement.member) ||
        compareStrings(a.placement.memberKind, b.placement.memberKind),
    )
    .map((r, priority) => ({ member: r.placement.member, endpoint: r.endpoint, priority }));
}

// The last line of defence of "never zero serving endpoints": when, after every other transition,
// no authorization placement serves, but a Draining or Lost one still has an available workload on a
// Healthy, Ready, eligible member, the best of them serves again in its role (Active, or
// FailoverTarget for the member it stood in for). Being out of the routes is worse than an extra
// placement; the next passes put the slot in order again, make-before-break.
import { assessEligibility, compareStrings } from '../placement/index.js';
import type { PlanContext } from './context.js';
import type { PlanEvent } from './types.js';
import { changePlacement, isServer, type Work } from './work.js';

export function reinstate(works: readonly Work[], ctx: PlanContext): PlanEvent[] {
  if (works.some((w) => isServer(w.next) && w.available)) return [];
  const candidate = works
    .filter(
      (w) =>
        (w.next.state === 'Draining' || w.next.state === 'Lost') &&
        w.reachable &&
        w.available &&
        w.member.health === 'Healthy' &&
        w.member.ready &&
        w.leaving === undefined &&
        assessEligibility(w.member, ctx.requirements).eligible,
    )
    .sort(
      (a, b) =>
        Number(a.next.replacedMember !== undefined) - Number(b.next.replacedMember !== undefined) ||
        compareStrings(a.member.kind, b.member.kind) ||
        compareStrings(a.member.name, b.member.name),
    )[0];
  if (candidate === undefined) return [];
  const standIn =
    candidate.next.replacedMember !== undefined && candidate.next.replacedMember !== candidate.member.name;
  const was = candidate.next.state;
  candidate.next = changePlacement(
    candidate.next,
    {
      state: standIn ? 'FailoverTarget' : 'Active',
      reason: 'Reinstated',
      message:
        `no other authorization placement serves and ${candidate.member.name} still has an available workload, ` +
        `so it serves again${standIn ? ` in place of ${candidate.next.replacedMember ?? ''}` : ''} rather than ` +
        'leave the gateway without an endpoint',
      unavailableSince: null,
      replicas: ctx.spec.authorization.replicas,
    },
    ctx.now,
  );
  return [
    {
      type: 'Warning',
      reason: 'PlacementReinstated',
      message: `no authorization endpoint of ${ctx.spec.namespace}/${ctx.spec.name} was serving: ${candidate.member.name} (${was}) serves again`,
      member: candidate.member.name,
    },
  ];
}

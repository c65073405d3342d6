// An SRE's explicit move of one authorization placement (kubectl paygrid move), through the same
// make-before-break path as failover: this adds the `to` placement; later passes of planGateway drain
// the `from` one once `to` serves.
//
//   from is the slot's home, Active      → to: Active, reason ManualMove, replacedMember = from;
//                                           from drains once to serves, then the link is dropped.
//   from stands in for (or is) a lost     → to: FailoverTarget for the slot's home, reason ManualMove;
//   home (FailoverTarget, Lost)             the older placements drain once it serves, failback stays
//                                           possible (in Manual mode this is how an SRE fails over).
//   to is the slot's home                 → to: Active, reason ManualMove (a failback by hand).
import type { PaymentGateway, Placement } from '../api/index.js';
import {
  assessEligibility,
  describeMember,
  existingPlacements,
  listText,
  sortPlacements,
  type MemberView,
} from '../placement/index.js';
import { planContext } from './context.js';
import { groupBySlot, slotRoles } from './groups.js';
import type { PlanEvent } from './types.js';
import { newPlacement } from './work.js';

export interface MoveRequest {
  /** Name of the member the placement leaves. */
  readonly from: string;
  /** Name of the member it goes to. */
  readonly to: string;
}

export type MoveErrorReason =
  | 'Paused'
  | 'NoPlacement'
  | 'AlreadyDraining'
  | 'SameMember'
  | 'MemberNotFound'
  | 'AlreadyPlaced'
  | 'MoveInProgress'
  | 'Ineligible';

export type MoveResult =
  | {
      readonly ok: true;
      /** status.placements to write (every component). */
      readonly placements: Placement[];
      readonly epoch: number;
      /** The placement added on `to`. */
      readonly added: Placement;
      readonly events: PlanEvent[];
      readonly message: string;
    }
  | { readonly ok: false; readonly reason: MoveErrorReason; readonly message: string };

export function planMove(
  gateway: PaymentGateway,
  members: readonly MemberView[],
  move: MoveRequest,
  now: string,
): MoveResult {
  const ctx = planContext(gateway, members, [], now);
  const gw = `${ctx.spec.namespace}/${ctx.spec.name}`;
  const fail = (reason: MoveErrorReason, message: string): MoveResult => ({ ok: false, reason, message });
  if (ctx.spec.failover.paused) {
    return fail(
      'Paused',
      `spec.failover.paused is true on ${gw}: no placement changes; set it to false first`,
    );
  }
  const current = existingPlacements(gateway.status?.placements, 'authorization');
  const from =
    current.find((p) => p.member === move.from && p.memberKind === 'EdgeSite') ??
    current.find((p) => p.member === move.from);
  if (from === undefined) {
    return fail(
      'NoPlacement',
      `${move.from} holds no authorization placement of ${gw}; it has ` +
        (current.length
          ? listText(
              current.map((p) => `${p.member} (${p.state})`),
              20,
            )
          : 'none yet'),
    );
  }
  if (from.state === 'Draining')
    return fail('AlreadyDraining', `authorization on ${move.from} is already Draining`);
  if (move.to === move.from) return fail('SameMember', `--from and --to are both ${move.from}`);
  const to = ctx.memberNamed(move.to);
  if (to === undefined) return fail('MemberNotFound', `no EdgeSite or CloudCluster is named ${move.to}`);
  const there = current.find((p) => p.member === to.name && p.memberKind === to.kind);
  const group = groupBySlot(current, (p) => p).find((g) => g.items.includes(from));
  const root = group?.root ?? from.member;
  if (there !== undefined) {
    return fail(
      'AlreadyPlaced',
      `${to.name} already holds authorization of ${gw} (${there.state}` +
        (there.state === 'Draining' || there.state === 'Lost' ? '; move there once it is drained' : '') +
        ')',
    );
  }
  if (group) {
    const leaving = (p: Placement): boolean => {
      const m = ctx.memberOf(p.memberKind, p.member);
      return m === undefined || !assessEligibility(m, ctx.keepRequirements, { ignoreHealth: true }).eligible;
    };
    const roles = slotRoles(group, (p) => p, leaving);
    const inFlight =
      roles.moveTarget ??
      group.items.find((p) => p.state === 'FailoverTarget' && p.reason === 'ManualMove') ??
      (roles.home?.state === 'Active' &&
      roles.home.reason === 'ManualMove' &&
      group.items.some((p) => p.state === 'FailoverTarget')
        ? roles.home
        : undefined);
    if (inFlight) {
      return fail(
        'MoveInProgress',
        `a move of this placement to ${inFlight.member} is in progress; wait until it serves (or move from ${inFlight.member})`,
      );
    }
  }
  const eligibility = assessEligibility(to, ctx.requirements);
  if (!ctx.selectorValid) {
    return fail('Ineligible', 'spec.authorization.siteSelector is invalid; fix it before moving placements');
  }
  if (!eligibility.eligible) {
    const hint =
      eligibility.reason === 'WrongKind' && to.kind === 'CloudCluster'
        ? '; add Cloud to spec.failover.fallback to allow CloudClusters'
        : eligibility.reason === 'Unhealthy' || eligibility.reason === 'NotReady'
          ? '; wait until it is Healthy and Ready'
          : eligibility.reason === 'Cordoned'
            ? '; uncordon it first'
            : '';
    return fail(
      'Ineligible',
      `cannot move authorization of ${gw} to ${to.name}: ${eligibility.message}${hint}`,
    );
  }
  const replicas = ctx.spec.authorization.replicas;
  const home = from.member === root && from.replacedMember === undefined;
  const added =
    to.name === root
      ? newPlacement(
          to,
          {
            state: 'Active',
            reason: 'ManualMove',
            message: `moved back from ${from.member} by an SRE; ${from.member} drains once this serves`,
            replicas,
          },
          now,
        )
      : home && from.state === 'Active'
        ? newPlacement(
            to,
            {
              state: 'Active',
              reason: 'ManualMove',
              message: `moved here from ${from.member} by an SRE; ${from.member} drains once this serves`,
              replicas,
              replacedMember: root,
            },
            now,
          )
        : newPlacement(
            to,
            {
              state: 'FailoverTarget',
              reason: 'ManualMove',
              message: `stands in for ${root}, moved here from ${from.member} by an SRE; ${from.member} drains once this serves`,
              replicas,
              replacedMember: root,
            },
            now,
          );
  const message =
    `authorization of ${gw} moves from ${from.member} to ${to.name}: ${describeMember(to)} is added as ${added.state}; ` +
    `${from.member} ${from.state === 'Lost' ? 'is fenced and ' : ''}drains once it serves`;
  return {
    ok: true,
    placements: sortPlacements([...(gateway.status?.placements ?? []), added]),
    epoch: (gateway.status?.epoch ?? 0) + 1,
    added,
    events: [{ type: 'Normal', reason: 'MoveStarted', message, member: to.name }],
    message,
  };
}

// First step of a pass: each authorization placement in status, on its own. Members that are gone
// drop their placements; Draining placements leave once their workload is gone; serving
// placements whose member is Unreachable, or whose workload has been unavailable for the detection
// window, become Lost (kept, never deleted: the site may still be authorizing in stand-in mode).
import type { Placement } from '../api/index.js';
import {
  assessEligibility,
  describeMember,
  type IneligibleReason,
  type RemovedPlacement,
} from '../placement/index.js';
import type { PlanContext } from './context.js';
import { assessAvailability } from './detection.js';
import { isAvailable, isGone } from './signals.js';
import type { FailoverCause } from './types.js';
import { changePlacement, isServer, type Work } from './work.js';

const LEAVING: Record<IneligibleReason, FailoverCause | undefined> = {
  WrongKind: 'KindNotAllowed',
  NotSelected: 'NotSelected',
  Cordoned: 'Cordoned',
  InsufficientCapacity: 'InsufficientCapacity',
  Unhealthy: undefined,
  NotReady: undefined,
};

/** Reasons a serving placement carries while it moves out of a member it may no longer hold. */
export const LEAVING_REASONS: ReadonlySet<string> = new Set(
  Object.values(LEAVING).filter((r): r is FailoverCause => r !== undefined),
);

export interface Observed {
  readonly works: Work[];
  readonly removed: RemovedPlacement[];
  /** Times (ms) when a detection window ends. */
  readonly deadlines: number[];
}

function sinceText(healthSince: string | undefined): string {
  return healthSince ? ` since ${healthSince}` : '';
}

export function observePlacements(current: readonly Placement[], ctx: PlanContext): Observed {
  const works: Work[] = [];
  const removed: RemovedPlacement[] = [];
  const deadlines: number[] = [];
  const window = ctx.spec.failover.detectionWindowSeconds;
  const replicas = ctx.spec.authorization.replicas;
  for (const p of current) {
    const member = ctx.memberOf(p.memberKind, p.member);
    if (member === undefined) {
      removed.push({
        placement: p,
        reason: 'MemberNotFound',
        message: `${p.memberKind ?? 'member'} ${p.member ?? ''} no longer exists`,
      });
      continue;
    }
    const signal = ctx.signal(member.kind, member.name, 'authorization');
    const reachable = member.health !== 'Unreachable';
    const allowed = assessEligibility(member, ctx.keepRequirements, { ignoreHealth: true });
    const leavingReason = allowed.eligible ? undefined : LEAVING[allowed.reason];
    const base = {
      previous: p,
      member,
      reachable,
      available: reachable && isAvailable(signal),
      ...(leavingReason && !allowed.eligible
        ? { leaving: { reason: leavingReason, message: allowed.message } }
        : {}),
    };
    if (p.state === 'Draining') {
      if (reachable && isGone(signal)) {
        removed.push({
          placement: p,
          reason: 'Drained',
          message: `its workloads are gone from ${describeMember(member)}`,
        });
        continue;
      }
      works.push({ ...base, next: changePlacement(p, {}, ctx.now) });
      continue;
    }
    if (!isServer(p)) {
      works.push({ ...base, next: changePlacement(p, {}, ctx.now) });
      continue;
    }
    if (p.state === 'FailoverTarget' && (!p.replacedMember || p.replacedMember === p.member)) {
      // A FailoverTarget standing in for nobody (hand-edited status): it is an Active placement.
      works.push({
        ...base,
        next: changePlacement(
          p,
          {
            state: 'Active',
            reason: 'Retained',
            message: 'stands in for no other member',
            replacedMember: null,
          },
          ctx.now,
        ),
      });
      continue;
    }
    if (!reachable) {
      const message =
        `${describeMember(member)} is Unreachable${sinceText(member.healthSince)}; its workloads are left alone ` +
        '(they may still authorize in stand-in mode) until it is back, when the new epoch fences them';
      works.push({
        ...base,
        next: changePlacement(p, { state: 'Lost', reason: 'MemberUnreachable', message, replicas }, ctx.now),
        cause: {
          reason: 'SiteUnreachable',
          message: `${describeMember(member)} is Unreachable${sinceText(member.healthSince)}`,
        },
      });
      continue;
    }
    const verdict = assessAvailability(p, signal, ctx.nowMs, window);
    if (verdict.failed) {
      const what =
        `authorization on ${describeMember(member)} has been unavailable since ${verdict.unavailableSince ?? ctx.now} ` +
        `(longer than ${verdict.allowedSeconds ?? window}s) although the member is reachable`;
      works.push({
        ...base,
        next: changePlacement(
          p,
          {
            state: 'Lost',
            reason: 'WorkloadUnavailable',
            message: `${what}; its workloads are left alone and fenced by the new epoch`,
            replicas,
          },
          ctx.now,
        ),
        cause: { reason: 'WorkloadUnavailable', message: what },
      });
      continue;
    }
    if (verdict.deadlineMs !== undefined) deadlines.push(verdict.deadlineMs);
    works.push({
      ...base,
      next: changePlacement(p, { replicas, unavailableSince: verdict.unavailableSince ?? null }, ctx.now),
    });
  }
  return { works, removed, deadlines };
}

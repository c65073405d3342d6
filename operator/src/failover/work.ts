// A placement being planned: where it started (status), what it is becoming, and the facts about
// its member and workload the transitions depend on. Plus small helpers to change a placement.
import type { Placement, PlacementState } from '../api/index.js';
import { makePlacement, type MemberView } from '../placement/index.js';
import type { FailoverCause } from './types.js';

export interface Work {
  /** The status entry this pass started from; absent when created in this pass. */
  readonly previous?: Placement;
  /** The entry as decided so far. */
  next: Placement;
  readonly member: MemberView;
  /** The member is not Unreachable (the operator can talk to it). */
  readonly reachable: boolean;
  /** Its workload is observed, present and available now. */
  readonly available: boolean;
  /** Why the member may no longer hold the placement (cordoned, not selected, …): it moves out make-before-break. */
  readonly leaving?: { readonly reason: FailoverCause; readonly message: string };
  /** Why it became Lost in this pass. */
  cause?: { readonly reason: FailoverCause; readonly message: string };
}

/** Active and FailoverTarget placements serve (when their workload is available). */
export function isServer(p: Pick<Placement, 'state'>): boolean {
  return p.state === 'Active' || p.state === 'FailoverTarget';
}

export interface PlacementChange {
  readonly state?: PlacementState;
  readonly reason?: string;
  readonly message?: string;
  readonly replicas?: number;
  /** null removes it. */
  readonly replacedMember?: string | null;
  /** null removes it. */
  readonly unavailableSince?: string | null;
}

/**
 * A changed copy of a placement: since moves to now when the state changes; unavailableSince only
 * stays on serving states; fields not mentioned are kept.
 */
export function changePlacement(p: Placement, change: PlacementChange, now: string): Placement {
  const state = change.state ?? p.state;
  const out: Placement = { ...p, state, since: state === p.state && p.since ? p.since : now };
  if (change.reason !== undefined) out.reason = change.reason;
  if (change.message !== undefined) out.message = change.message;
  if (change.replicas !== undefined) out.replicas = change.replicas;
  if (change.replacedMember === null) delete out.replacedMember;
  else if (change.replacedMember !== undefined) out.replacedMember = change.replacedMember;
  if (change.unavailableSince === null) delete out.unavailableSince;
  else if (change.unavailableSince !== undefined) out.unavailableSince = change.unavailableSince;
  if (!isServer(out)) delete out.unavailableSince;
  // When a stand-in started serving belongs to that stand-in only.
  if (out.state !== 'FailoverTarget') delete out.servingSince;
  return out;
}

/**
 * A new authorization placement. It has not been available yet, so unavailableSince = since = now
 * (the mark of a placement still rolling out, see detection.ts).
 */
export function newPlacement(
  member: MemberView,
  fields: {
    state: PlacementState;
    reason: string;
    message: string;
    replicas: number;
    replacedMember?: string;
  },
  now: string,
): Placement {
  return {
    ...makePlacement(
      {
        component: 'authorization',
        member: member.name,
        memberKind: member.kind,
        state: fields.state,
        replicas: fields.replicas,
        reason: fields.reason,
        message: fields.message,
        ...(fields.replacedMember === undefined ? {} : { replacedMember: fields.replacedMember }),
      },
      now,
    ),
    unavailableSince: now,
  };
}

/** A Work for a placement created in this pass. */
export function newWork(member: MemberView, next: Placement): Work {
  return { next, member, reachable: member.health !== 'Unreachable', available: false };
}

// Whether a member may take a placement: kind, selector, cordon, health, readiness, capacity.
// Shared by initial placement and failover planning.
import type { LabelSelector } from '../api/index.js';
import { describeCapacity, describeMember, freeAuthorizationsPerSecond } from './describe.js';
import { describeLabelSelector, matchesLabelSelector } from './labelSelector.js';
import type { MemberKind, MemberView } from './types.js';

export interface EligibilityRequirements {
  /** Kinds of member that may take the placement. */
  readonly kinds: readonly MemberKind[];
  /** Label selector per kind; absent = every member of that kind. */
  readonly selectors?: Partial<Record<MemberKind, LabelSelector>>;
  /** What the selector is called in messages per kind, e.g. `siteSelector`. */
  readonly selectorNames?: Partial<Record<MemberKind, string>>;
  /** Free authorization capacity the member must have (members without a capacity always do). */
  readonly authorizationsPerSecond?: number;
}

/** Why a member cannot take a placement, in the order they are checked. */
export type IneligibleReason =
  'WrongKind' | 'NotSelected' | 'Cordoned' | 'Unhealthy' | 'NotReady' | 'InsufficientCapacity';

export type Eligibility =
  | { readonly eligible: true; readonly member: MemberView }
  | {
      readonly eligible: false;
      readonly member: MemberView;
      readonly reason: IneligibleReason;
      /** e.g. `edge-b is cordoned`, `edge-c has 50/1000 auth/s free, needs 100` */
      readonly message: string;
    };

export interface EligibilityOptions {
  /**
   * Skip the health and readiness checks: used to decide whether an existing placement may stay
   * (transient health is the failover planner's business, with its detection window).
   */
  readonly ignoreHealth?: boolean;
}

/** Checks one member against the requirements; the first failing check is the reason. */
export function assessEligibility(
  member: MemberView,
  req: EligibilityRequirements,
  options: EligibilityOptions = {},
): Eligibility {
  const no = (reason: IneligibleReason, message: string): Eligibility => ({
    eligible: false,
    member,
    reason,
    message,
  });
  if (!req.kinds.includes(member.kind)) {
    return no('WrongKind', `${describeMember(member)} is not a ${req.kinds.join(' or ')}`);
  }
  const selector = req.selectors?.[member.kind];
  if (!matchesLabelSelector(selector, member.labels)) {
    const name = req.selectorNames?.[member.kind] ?? 'selector';
    return no('NotSelected', `${member.name} does not match ${name} ${describeLabelSelector(selector)}`);
  }
  if (member.cordoned) return no('Cordoned', `${member.name} is cordoned`);
  if (!options.ignoreHealth) {
    if (member.health !== 'Healthy') return no('Unhealthy', `${member.name} is ${member.health}`);
    if (!member.ready) return no('NotReady', `${member.name} is not Ready`);
  }
  const need = req.authorizationsPerSecond ?? 0;
  const free = freeAuthorizationsPerSecond(member);
  if (need > 0 && free !== undefined && free < need) {
    return no('InsufficientCapacity', `${member.name} has ${describeCapacity(member)}, needs ${need}`);
  }
  return { eligible: true, member };
}

/** The members that meet the requirements, in input order. */
export function eligibleMembers(
  members: readonly MemberView[],
  req: EligibilityRequirements,
  options: EligibilityOptions = {},
): MemberView[] {
  return members.filter((m) => assessEligibility(m, req, options).eligible);
}

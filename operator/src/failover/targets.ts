// Choosing a FailoverTarget: eligible members (selector, cordon, health, readiness, capacity) not
// already holding authorization for this gateway, ranked along spec.failover.fallback relative to
// the member being replaced (SameRegionEdge → AnyEdge → Cloud, nearest first), spread away from the
// members that serve the other slots. When there is none, say why and what would fix it.
import {
  assessEligibility,
  describeCapacity,
  describeWhere,
  listText,
  memberKey,
  rankMembers,
  selectRankedWithSpread,
  type Eligibility,
  type FallbackTier,
  type MemberView,
  type RankedMember,
} from '../placement/index.js';
import type { PlanContext } from './context.js';

export interface TargetRequest {
  /** The member being replaced (its region and location steer the ranking). */
  readonly reference?: Pick<MemberView, 'region' | 'location'>;
  /** memberKeys of members that already hold authorization for this gateway (any state). */
  readonly occupied: ReadonlySet<string>;
  /** Members serving the other slots (for spreading). */
  readonly spreadWith: readonly MemberView[];
  /**
   * Names of members whose own slot is held by a FailoverTarget (they await failback): chosen only
   * when nothing else is eligible, so their failback is not blocked.
   */
  readonly awaitingFailback?: ReadonlySet<string>;
}

/** The best replacement, or undefined. */
export function chooseFailoverTarget(ctx: PlanContext, request: TargetRequest): RankedMember | undefined {
  if (!ctx.selectorValid) return undefined;
  const candidates = ctx.members.filter(
    (m) =>
      !request.occupied.has(memberKey(m.kind, m.name)) && assessEligibility(m, ctx.requirements).eligible,
  );
  const rank = (members: readonly MemberView[]): RankedMember | undefined =>
    selectRankedWithSpread(
      rankMembers(members, {
        fallback: ctx.spec.failover.fallback,
        ...(request.reference ? { referenceRegion: request.reference.region } : {}),
        ...(request.reference?.location ? { referenceLocation: request.reference.location } : {}),
      }),
      1,
      ctx.spec.authorization.spreadBy,
      request.spreadWith,
    )[0];
  const waiting = request.awaitingFailback ?? new Set<string>();
  return rank(candidates.filter((m) => !waiting.has(m.name))) ?? rank(candidates);
}

/** `SameRegionEdge, zone eu-west-b, 900/1000 auth/s free` */
export function describeChoice(choice: RankedMember): string {
  return `${choice.tier}, ${describeWhere(choice.member)}, ${describeCapacity(choice.member)}`;
}

/**
 * Why no member can take over, and what would fix it, e.g. `no member along spec.failover.fallback
 * (SameRegionEdge, AnyEdge) can take it: edge-b is Unreachable, edge-c is cordoned; add Cloud to
 * spec.failover.fallback, uncordon sites or bring unreachable sites back`.
 */
export function explainNoTarget(ctx: PlanContext, request: TargetRequest): string {
  const fallback = ctx.spec.failover.fallback;
  const tiers = fallback.join(', ');
  if (!ctx.selectorValid) {
    return 'spec.authorization.siteSelector is invalid, so nothing new is placed; fix the selector';
  }
  const free = ctx.members.filter((m) => !request.occupied.has(memberKey(m.kind, m.name)));
  const inTiers = (m: MemberView): boolean =>
    rankMembers([m], {
      fallback,
      ...(request.reference ? { referenceRegion: request.reference.region } : {}),
    }).length > 0;
  const blocked = free
    .filter(inTiers)
    .map((m) => assessEligibility(m, ctx.requirements))
    .filter((a): a is Extract<Eligibility, { eligible: false }> => !a.eligible)
    .filter((a) => a.reason !== 'WrongKind' && a.reason !== 'NotSelected');
  const why =
    blocked.length > 0
      ? `no member along spec.failover.fallback (${tiers}) can take it: ${listText(blocked.map((b) => b.message))}`
      : `no other member along spec.failover.fallback (${tiers}) matches spec.authorization.siteSelector`;
  const advice: string[] = [];
  const everyKind = { ...ctx.requirements, kinds: ['EdgeSite', 'CloudCluster'] as const };
  const eligibleElsewhere = (tier: FallbackTier): boolean =>
    free.some(
      (m) =>
        assessEligibility(m, everyKind).eligible &&
        rankMembers([m], {
          fallback: [tier],
          ...(request.reference ? { referenceRegion: request.reference.region } : {}),
        }).length > 0,
    );
  for (const tier of ['SameRegionEdge', 'AnyEdge', 'Cloud'] as const) {
    if (!fallback.includes(tier) && eligibleElsewhere(tier))
      advice.push(`add ${tier} to spec.failover.fallback`);
  }
  const reasons = new Set(blocked.map((b) => b.reason));
  if (reasons.has('Cordoned')) advice.push('uncordon sites');
  if (reasons.has('Unhealthy') || reasons.has('NotReady')) advice.push('bring unhealthy sites back');
  if (reasons.has('InsufficientCapacity')) {
    advice.push(
      'raise spec.capacity.authorizationsPerSecond of full sites or lower spec.authorization.authorizationsPerSecond',
    );
  }
  if (blocked.length === 0) advice.push('label more EdgeSites to match spec.authorization.siteSelector');
  if (!fallback.includes('Cloud') && !advice.some((a) => a.includes('Cloud'))) {
    advice.push('add Cloud to spec.failover.fallback (with a Healthy CloudCluster)');
  }
  return `${why}; ${listText(advice, 10, 'or')}`;
}

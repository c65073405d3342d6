// Choosing `count` members for one component, stably: placements that are still allowed stay where
// they are; a member that became unreachable keeps its placement as Lost; only the slots left over
// are filled, from eligible members ranked along the fallback tiers and spread across domains.
// Authorization (edge sites) and analytics (one cloud cluster) are both this algorithm.
import type { Placement } from '../api/index.js';
import { describeMember, kindNoun, listText } from './describe.js';
import type { EligibilityRequirements, IneligibleReason } from './eligibility.js';
import { assessEligibility } from './eligibility.js';
import { describeLabelSelector } from './labelSelector.js';
import { existingPlacements, makePlacement, memberKey } from './placementRecords.js';
import { fallbackTierOf, rankMembers } from './ranking.js';
import {
  describeDomain,
  selectRankedWithSpread,
  selectSpread,
  sharedDomains,
  spreadDomain,
} from './spread.js';
import type {
  Component,
  FallbackTier,
  MemberKind,
  MemberView,
  PlacementProblem,
  PlacementState,
  RemovedPlacement,
  SpreadBy,
} from './types.js';

export interface StableSelectionSpec {
  readonly component: Component;
  /** How many members should hold the component. */
  readonly count: number;
  /** Pods per placement. */
  readonly replicas: number;
  readonly requirements: EligibilityRequirements;
  /** Tiers new placements are drawn from, in order (e.g. AnyEdge, then Cloud). */
  readonly tiers: readonly FallbackTier[];
  readonly spreadBy: SpreadBy;
  /** The kind the component normally runs on; shortfall messages are about it. */
  readonly primaryKind: MemberKind;
  /** Problems of the primary kind's selector; when non-empty nothing new is placed and nothing is removed for not matching. */
  readonly selectorProblems: readonly string[];
  /** Spec paths for messages. */
  readonly fields: { readonly count?: string; readonly selector: string; readonly spreadBy?: string };
  /** Problem reasons: nothing placed, some placed, selector invalid. */
  readonly reasons: { readonly none: string; readonly partial: string; readonly invalidSelector: string };
  /** Why a newly chosen member was chosen, e.g. `matches siteSelector, zone eu-west-a, 900/1000 auth/s free`. */
  describeChoice(member: MemberView, tier: FallbackTier): { reason: string; message: string };
}

export interface ComponentOutcome {
  readonly placements: Placement[];
  readonly removed: RemovedPlacement[];
  readonly problems: PlacementProblem[];
}

interface Kept {
  readonly placement: Placement;
  readonly member: MemberView;
  /** Counts toward `count` (serving, or lost and not yet replaced). */
  readonly slot: boolean;
}

const REMOVAL_REASONS: Partial<Record<IneligibleReason, string>> = {
  WrongKind: 'KindNotAllowed',
  NotSelected: 'NotSelected',
  Cordoned: 'Cordoned',
  InsufficientCapacity: 'InsufficientCapacity',
};

function since(member: MemberView): string {
  return member.healthSince ? ` since ${member.healthSince}` : '';
}

/** Runs the stable selection for one component. members must be sorted (see placeGateway). */
export function selectStably(
  spec: StableSelectionSpec,
  statusPlacements: readonly Placement[] | undefined,
  members: readonly MemberView[],
  now: string,
): ComponentOutcome {
  const { component } = spec;
  const index = new Map(members.map((m) => [memberKey(m.kind, m.name), m]));
  const existing = existingPlacements(statusPlacements, component);
  const selectorValid = spec.selectorProblems.length === 0;
  const staticReq: EligibilityRequirements = selectorValid
    ? spec.requirements
    : { ...spec.requirements, selectors: {} };
  // Members a failover target stands in for (targets whose member is gone do not count).
  const replacedByTarget = new Set(
    existing
      .filter((p) => p.state === 'FailoverTarget' && p.replacedMember)
      .filter((p) => index.has(memberKey(p.memberKind, p.member)))
      .map((p) => p.replacedMember),
  );

  const kept: Kept[] = [];
  const removed: RemovedPlacement[] = [];
  const problems: PlacementProblem[] = [];
  const place = (
    member: MemberView,
    previous: Placement | undefined,
    state: PlacementState,
    reason: string,
    message: string,
    replacedMember?: string,
  ) =>
    makePlacement(
      {
        component,
        member: member.name,
        memberKind: member.kind,
        state,
        replicas: spec.replicas,
        reason,
        message,
        ...(replacedMember === undefined ? {} : { replacedMember }),
      },
      now,
      previous,
    );

  // 1. What already exists: keep, mark Lost, or remove (with a reason).
  for (const p of existing) {
    const member = index.get(memberKey(p.memberKind, p.member));
    if (member === undefined) {
      removed.push({
        placement: p,
        reason: 'MemberNotFound',
        message: `${p.memberKind ?? 'member'} ${p.member ?? ''} no longer exists`,
      });
      continue;
    }
    const replaced = replacedByTarget.has(member.name);
    if (p.state === 'Draining') {
      // Owned by the failover planner: carried through until it removes it.
      kept.push({ placement: { ...p }, member, slot: false });
      continue;
    }
    const allowed = assessEligibility(member, staticReq, { ignoreHealth: true });
    if (!allowed.eligible && (allowed.reason === 'WrongKind' || allowed.reason === 'NotSelected')) {
      removed.push({
        placement: p,
        reason: REMOVAL_REASONS[allowed.reason] ?? allowed.reason,
        message:
          allowed.reason === 'WrongKind'
            ? `${describeMember(member)} may no longer run ${component}`
            : `${allowed.message}; ${component} is removed from it`,
      });
      continue;
    }
    if (member.health === 'Unreachable') {
      const message =
        `${describeMember(member)} is Unreachable${since(member)}; its workloads are left alone ` +
        '(they may still authorize in stand-in mode) until it is back, when the new epoch fences them';
      kept.push({
        placement: place(member, p, 'Lost', 'MemberUnreachable', message),
        member,
        slot: !replaced,
      });
      continue;
    }
    if (!allowed.eligible) {
      removed.push({
        placement: p,
        reason: REMOVAL_REASONS[allowed.reason] ?? allowed.reason,
        message: `${allowed.message}; ${component} moves elsewhere`,
      });
      continue;
    }
    if (p.state === 'Lost') {
      if (replaced) {
        const message = `${member.name} is reachable again; a failover target serves in its place until failback`;
        kept.push({ placement: place(member, p, 'Lost', 'AwaitingFailback', message), member, slot: false });
      } else if (member.health === 'Healthy' && member.ready) {
        const message = `${member.name} is Healthy and Ready again; its placement is Active again (fenced by the new epoch)`;
        kept.push({ placement: place(member, p, 'Active', 'Recovered', message), member, slot: true });
      } else {
        const message = `${member.name} is ${member.health}${member.ready ? '' : ', not Ready'}; the placement stays Lost until it is Healthy and Ready`;
        kept.push({ placement: place(member, p, 'Lost', 'MemberRecovering', message), member, slot: true });
      }
      continue;
    }
    if (p.state === 'FailoverTarget') {
      const placement = place(
        member,
        p,
        'FailoverTarget',
        p.reason || 'FailoverTarget',
        p.message || `stands in for ${p.replacedMember ?? 'a lost member'}`,
        p.replacedMember,
      );
      kept.push({ placement, member, slot: true });
      continue;
    }
    const tier = fallbackTierOf(member, spec.tiers) ?? { tier: spec.tiers[0] ?? 'AnyEdge', tierIndex: 0 };
    const why = spec.describeChoice(member, tier.tier).message;
    const state = p.state === 'Standby' ? 'Standby' : 'Active';
    kept.push({
      placement: place(member, p, state, 'Retained', `still eligible: ${why}`),
      member,
      slot: true,
    });
  }

  // 2. Too many slots (count was lowered): drop lost ones first, then keep the best-spread serving ones.
  let holders = kept.filter((k) => k.slot);
  if (holders.length > spec.count) {
    const lost = holders.filter((k) => k.placement.state === 'Lost');
    const serving = holders.filter((k) => k.placement.state !== 'Lost');
    const servingRanked = [
      ...rankMembers(
        serving.map((k) => k.member),
        { fallback: spec.tiers },
      ).map((r) => r.member),
      ...serving.map((k) => k.member).filter((m) => fallbackTierOf(m, spec.tiers) === undefined),
    ];
    const keepServing = new Set(selectSpread(servingRanked, spec.count, spec.spreadBy));
    const keepLost = lost.slice(0, Math.max(0, spec.count - keepServing.size));
    const keep = new Set<Kept>([...serving.filter((k) => keepServing.has(k.member)), ...keepLost]);
    for (const k of holders) {
      if (keep.has(k)) continue;
      removed.push({
        placement: k.placement,
        reason: 'ScaledDown',
        message: `${spec.fields.count ?? 'the desired count'} is ${spec.count}; ${describeMember(k.member)} is no longer needed`,
      });
    }
    const dropped = new Set(holders.filter((k) => !keep.has(k)));
    kept.splice(0, kept.length, ...kept.filter((k) => !dropped.has(k)));
    holders = kept.filter((k) => k.slot);
  }

  // 3. Fill the remaining slots from eligible members not already holding this component.
  const held = new Set(kept.map((k) => memberKey(k.member.kind, k.member.name)));
  const free = members.filter((m) => !held.has(memberKey(m.kind, m.name)));
  const assessed = free.map((m) => assessEligibility(m, spec.requirements));
  const candidates = selectorValid ? assessed.filter((a) => a.eligible).map((a) => a.member) : [];
  const ranked = rankMembers(candidates, { fallback: spec.tiers });
  const need = Math.max(0, spec.count - holders.length);
  const picks = selectRankedWithSpread(
    ranked,
    need,
    spec.spreadBy,
    holders.map((k) => k.member),
  );
  const added = picks.map((r) => {
    const { reason, message } = spec.describeChoice(r.member, r.tier);
    return { placement: place(r.member, undefined, 'Active', reason, message), member: r.member, slot: true };
  });

  // 4. Problems: invalid selector, shortfall, fallback to another kind, lost members, spread.
  const selectorText = describeLabelSelector(spec.requirements.selectors?.[spec.primaryKind]);
  if (!selectorValid) {
    problems.push({
      component,
      severity: 'Error',
      reason: spec.reasons.invalidSelector,
      message:
        `${spec.fields.selector} is invalid (${spec.selectorProblems.join('; ')}); existing placements are ` +
        `kept and nothing new is placed until it is fixed`,
    });
  }
  const placedCount = holders.length + added.length;
  const primaryAssessed = assessed.filter((a) => a.member.kind === spec.primaryKind);
  const blocked = primaryAssessed.filter(
    (a) => !a.eligible && a.reason !== 'WrongKind' && a.reason !== 'NotSelected',
  );
  const matchingCount = blocked.length + kept.filter((k) => k.member.kind === spec.primaryKind).length;
  const primaryPlaced = [...holders, ...added].filter((k) => k.member.kind === spec.primaryKind).length;
  const nounPrimary = kindNoun(spec.primaryKind, 2);
  const advice = (): string => {
    const reasons = new Set(blocked.map((a) => (a.eligible ? '' : a.reason)));
    const items: string[] = [];
    if (matchingCount === 0 || blocked.length === 0) {
      items.push(`label more ${nounPrimary} to match ${spec.fields.selector}`);
    }
    if (reasons.has('Cordoned')) items.push('uncordon sites');
    if (reasons.has('Unhealthy') || reasons.has('NotReady')) items.push('bring unhealthy members back');
    if (reasons.has('InsufficientCapacity')) {
      items.push(
        'raise spec.capacity.authorizationsPerSecond of full sites or lower spec.authorization.authorizationsPerSecond',
      );
    }
    if (spec.fields.count && spec.count > 1) items.push(`lower ${spec.fields.count}`);
    return listText(items, 10, 'or');
  };
  const why = (): string =>
    matchingCount === 0 && selectorValid
      ? `no ${spec.primaryKind} matches ${spec.fields.selector} (${selectorText})`
      : blocked.length === 0
        ? `no other ${spec.primaryKind} matches ${spec.fields.selector} (${selectorText})`
        : `${blocked.length} matching ${kindNoun(spec.primaryKind, blocked.length)} cannot take it: ` +
          listText(blocked.map((a) => (a.eligible ? '' : a.message)));
  if (placedCount < spec.count && selectorValid) {
    const reason = blocked.some((a) => !a.eligible && a.reason === 'InsufficientCapacity')
      ? 'InsufficientCapacity'
      : placedCount === 0
        ? spec.reasons.none
        : spec.reasons.partial;
    problems.push({
      component,
      severity: 'Error',
      reason,
      message: `${component} is placed on ${placedCount} of ${spec.count} wanted: ${why()}; ${advice()}`,
    });
  }
  const otherKind = [...holders, ...added].filter((k) => k.member.kind !== spec.primaryKind);
  if (otherKind.length > 0 && primaryPlaced < spec.count) {
    problems.push({
      component,
      severity: 'Error',
      reason: 'FallbackPlacement',
      message:
        `${component} runs on ${listText(otherKind.map((k) => describeMember(k.member)))} because only ` +
        `${primaryPlaced} of ${spec.count} ${nounPrimary} can take it (${why()}); ${advice()}`,
    });
  }
  const lostSlots = holders.filter((k) => k.placement.state === 'Lost');
  if (lostSlots.length > 0) {
    problems.push({
      component,
      severity: 'Error',
      reason: 'PlacementLost',
      message:
        `${component} on ${listText(lostSlots.map((k) => `${k.member.name} (${k.member.health}${since(k.member)})`))} ` +
        'is Lost: its workloads are left alone until the member is back; failover (spec.failover) replaces it',
    });
  }
  const finalHolders = [...holders, ...added];
  const groups = sharedDomains(
    finalHolders.map((k) => k.member),
    spec.spreadBy,
  );
  if (groups.length > 0) {
    const usedDomains = new Set(finalHolders.map((k) => spreadDomain(k.member, spec.spreadBy)));
    const pickedSet = new Set(added.map((a) => a.member));
    const better = candidates.filter(
      (m) => !pickedSet.has(m) && !usedDomains.has(spreadDomain(m, spec.spreadBy)),
    );
    const shared = listText(
      groups.map((g) => {
        const where = g[0] ? describeDomain(g[0], spec.spreadBy) : spec.spreadBy;
        return `${listText(g.map((m) => m.name))} share ${where}`;
      }),
    );
    const spreadField = spec.fields.spreadBy ?? 'spreadBy';
    problems.push(
      better.length > 0
        ? {
            component,
            severity: 'Warning',
            reason: 'SpreadSkewed',
            message:
              `${shared} although ${listText(better.map((m) => m.name))} in another ${spec.spreadBy} is eligible; ` +
              'placements are kept where they are for stability (cordon one to move it)',
          }
        : {
            component,
            severity: 'Warning',
            reason: 'SpreadUnsatisfiable',
            message:
              `${shared}: only ${usedDomains.size} ${spec.spreadBy}s have eligible members for ${spec.count} ` +
              `placements; add eligible ${nounPrimary} in other ${spec.spreadBy}s` +
              (spec.fields.count ? `, lower ${spec.fields.count}` : '') +
              `, or set ${spreadField} to none`,
          },
    );
  }

  return { placements: [...kept, ...added].map((k) => k.placement), removed, problems };
}

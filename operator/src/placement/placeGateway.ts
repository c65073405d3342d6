// The placement planner: where each component of a PaymentGateway should run, given the gateway
// (spec, current status.placements and epoch), the members and the time. Pure: same input, same
// output, whatever the order of members or placements.
//
// - authorization: spec.authorization.sites EdgeSites matching siteSelector, Healthy, Ready, not
//   cordoned, with enough free capacity, spread by spreadBy, ties broken by name; then
//   CloudClusters if spec.failover.fallback includes Cloud. Placements that are still allowed stay
//   where they are (stability), whatever a new site would rank.
// - ledger: spec.ledger.primary Active, spec.ledger.standbys Standby.
// - analytics: one CloudCluster matching cloudSelector (first eligible by name; kept while allowed).
//
// A member that became Unreachable keeps its placements as Lost (its workloads may still serve and
// are never dropped silently); replacing it is the failover planner's job, which reuses the
// eligibility, ranking and spread building blocks. This planner produces Active, Standby and Lost,
// and carries FailoverTarget and Draining placements (owned by failover) through unchanged.
import type { PaymentGateway, Placement } from '../api/index.js';
import { describeCapacity, describeWhere, compareStrings } from './describe.js';
import type { EligibilityRequirements } from './eligibility.js';
import { resolveGatewaySpec } from './gatewaySpec.js';
import { labelSelectorProblems } from './labelSelector.js';
import { placeLedger } from './ledger.js';
import { placementChanged, placementDiff } from './placementChanged.js';
import { comparePlacements, existingPlacements, memberKey, sortPlacements } from './placementRecords.js';
import type { ComponentOutcome } from './stableSelection.js';
import { selectStably } from './stableSelection.js';
import { COMPONENTS } from './types.js';
import type { FallbackTier, MemberView, PlacementProblem, PlacementResult } from './types.js';

/** Members sorted by kind and name, one per kind and name (the first in a total order wins). */
export function normalizeMembers(members: readonly MemberView[]): MemberView[] {
  const sorted = [...members].sort(
    (a, b) =>
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.name, b.name) ||
      compareStrings(JSON.stringify(a), JSON.stringify(b)),
  );
  const seen = new Set<string>();
  return sorted.filter((m) => {
    const key = memberKey(m.kind, m.name);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Plans every component of the gateway. `now` (RFC 3339) stamps placements that change state. */
export function placeGateway(
  gateway: PaymentGateway,
  members: readonly MemberView[],
  now: string,
): PlacementResult {
  const spec = resolveGatewaySpec(gateway);
  const current = gateway.status?.placements;
  const sorted = normalizeMembers(members);
  const outcomes: ComponentOutcome[] = [];

  // authorization
  const auth = spec.authorization;
  const cloudAllowed = spec.failover.fallback.includes('Cloud');
  const authTiers: FallbackTier[] = cloudAllowed ? ['AnyEdge', 'Cloud'] : ['AnyEdge'];
  const authReq: EligibilityRequirements = {
    kinds: cloudAllowed ? ['EdgeSite', 'CloudCluster'] : ['EdgeSite'],
    selectors: { EdgeSite: auth.siteSelector },
    selectorNames: { EdgeSite: 'siteSelector' },
    authorizationsPerSecond: auth.authorizationsPerSecond,
  };
  outcomes.push(
    selectStably(
      {
        component: 'authorization',
        count: auth.sites,
        replicas: auth.replicas,
        requirements: authReq,
        tiers: authTiers,
        spreadBy: auth.spreadBy,
        primaryKind: 'EdgeSite',
        selectorProblems: labelSelectorProblems(auth.siteSelector),
        fields: {
          count: 'spec.authorization.sites',
          selector: 'spec.authorization.siteSelector',
          spreadBy: 'spec.authorization.spreadBy',
        },
        reasons: {
          none: 'NoEligibleSites',
          partial: 'NotEnoughEligibleSites',
          invalidSelector: 'InvalidSiteSelector',
        },
        describeChoice: (m, tier) =>
          tier === 'Cloud'
            ? {
                reason: 'CloudFallback',
                message: `no eligible EdgeSite left and spec.failover.fallback allows Cloud; region ${m.region}`,
              }
            : {
                reason: 'Selected',
                message: `matches siteSelector, ${describeWhere(m)}, ${describeCapacity(m)}`,
              },
      },
      current,
      sorted,
      now,
    ),
  );

  // ledger
  outcomes.push(placeLedger(spec.ledger, current, sorted, now));

  // analytics
  if (spec.analytics) {
    outcomes.push(
      selectStably(
        {
          component: 'analytics',
          count: 1,
          replicas: spec.analytics.replicas,
          requirements: {
            kinds: ['CloudCluster'],
            selectors: { CloudCluster: spec.analytics.cloudSelector },
            selectorNames: { CloudCluster: 'cloudSelector' },
          },
          tiers: ['Cloud'],
          spreadBy: 'none',
          primaryKind: 'CloudCluster',
          selectorProblems: labelSelectorProblems(spec.analytics.cloudSelector),
          fields: { selector: 'spec.analytics.cloudSelector' },
          reasons: {
            none: 'NoCloudClusters',
            partial: 'NoCloudClusters',
            invalidSelector: 'InvalidCloudSelector',
          },
          describeChoice: (m) => ({
            reason: 'Selected',
            message: `matches cloudSelector, region ${m.region} (first eligible CloudCluster by name)`,
          }),
        },
        current,
        sorted,
        now,
      ),
    );
  } else {
    outcomes.push({
      placements: [],
      problems: [],
      removed: existingPlacements(current, 'analytics').map((p) => ({
        placement: p,
        reason: 'ComponentRemoved',
        message: 'spec.analytics is not set',
      })),
    });
  }

  const placements = sortPlacements(outcomes.flatMap((o) => o.placements));
  const removed = outcomes
    .flatMap((o) => o.removed)
    .sort((a, b) => comparePlacements(a.placement, b.placement));
  const problems = outcomes
    .flatMap((o) => o.problems)
    .map((p, i) => ({ p, i }))
    .sort((a, b) => COMPONENTS.indexOf(a.p.component) - COMPONENTS.indexOf(b.p.component) || a.i - b.i)
    .map(({ p }) => p);
  const previousEpoch = gateway.status?.epoch ?? 0;
  if (spec.failover.paused) return frozen(current, placements, problems, previousEpoch);
  const changed = placementChanged(current, placements);
  return { placements, removed, problems, changed, epoch: previousEpoch + (changed ? 1 : 0) };
}

/**
 * spec.failover.paused: the current placements stay exactly as they are; what the planner would
 * have changed is reported (per component, as a PlacementPaused warning) so it can be reviewed.
 */
function frozen(
  current: readonly Placement[] | undefined,
  planned: readonly Placement[],
  problems: PlacementProblem[],
  epoch: number,
): PlacementResult {
  const placements = sortPlacements(current ?? []);
  const { added, removed } = placementDiff(placements, planned);
  const held: PlacementProblem[] = [];
  for (const component of COMPONENTS) {
    const gone = removed.filter((p) => p.component === component);
    const items: string[] = [];
    for (const p of added.filter((x) => x.component === component)) {
      const was = gone.find((g) => g.member === p.member && g.memberKind === p.memberKind);
      items.push(was ? `${p.member} ${was.state} → ${p.state}` : `add ${p.member} as ${p.state}`);
    }
    for (const p of gone) {
      if (
        !added.some(
          (a) => a.component === component && a.member === p.member && a.memberKind === p.memberKind,
        )
      ) {
        items.push(`drop ${p.member} (${p.state})`);
      }
    }
    if (items.length === 0) continue;
    held.push({
      component,
      severity: 'Warning',
      reason: 'PlacementPaused',
      message:
        `spec.failover.paused is true, so placements are not changed; held back: ${items.join(', ')}; ` +
        'set it to false to apply',
    });
  }
  return { placements, removed: [], problems: [...held, ...problems], changed: false, epoch };
}

/** The placements of one member (all components), e.g. to render what that member needs. */
export function placementsOnMember(
  placements: readonly Placement[],
  member: { readonly kind: string; readonly name: string },
): Placement[] {
  return placements.filter((p) => p.memberKind === member.kind && p.member === member.name);
}

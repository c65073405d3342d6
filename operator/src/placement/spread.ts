// Spreading placements across failure domains (zone, region), so one outage does not take all
// serving members down.
import { compareStrings } from './describe.js';
import type { RankedMember } from './ranking.js';
import type { MemberView, SpreadBy } from './types.js';

type DomainMember = Pick<MemberView, 'kind' | 'name' | 'region' | 'zone'>;

/**
 * The failure domain of a member under a spread key. A member without a zone counts as its own zone
 * (as the EdgeSite CRD documents); zone names are qualified by region since they need not be unique.
 * spreadBy none makes every member its own domain.
 */
export function spreadDomain(member: DomainMember, spreadBy: SpreadBy): string {
  const own = `member:${member.kind}/${member.name}`;
  switch (spreadBy) {
    case 'region':
      return `region:${member.region}`;
    case 'zone':
      return member.zone ? `zone:${member.region}/${member.zone}` : own;
    default:
      return own;
  }
}

/** `zone eu-west-a`, `region eu-west`, or the member itself. */
export function describeDomain(member: DomainMember, spreadBy: SpreadBy): string {
  if (spreadBy === 'region') return `region ${member.region}`;
  if (spreadBy === 'zone' && member.zone) return `zone ${member.zone}`;
  return `${member.name} (own zone)`;
}

/**
 * Picks up to count members from ranked (best first), always from the least-used domain: no domain
 * gets a second member while another domain with a candidate has none, and within equally used
 * domains rank decides. occupied = members already holding a placement (they count for their domain).
 */
export function selectSpread(
  ranked: readonly MemberView[],
  count: number,
  spreadBy: SpreadBy,
  occupied: readonly DomainMember[] = [],
): MemberView[] {
  const used = new Map<string, number>();
  for (const m of occupied)
    used.set(spreadDomain(m, spreadBy), (used.get(spreadDomain(m, spreadBy)) ?? 0) + 1);
  const remaining = [...ranked];
  const picked: MemberView[] = [];
  while (picked.length < count && remaining.length > 0) {
    let best = 0;
    let bestUse = Number.POSITIVE_INFINITY;
    for (const [i, m] of remaining.entries()) {
      const use = used.get(spreadDomain(m, spreadBy)) ?? 0;
      if (use < bestUse) {
        best = i;
        bestUse = use;
      }
    }
    const [chosen] = remaining.splice(best, 1);
    if (chosen === undefined) break;
    picked.push(chosen);
    used.set(spreadDomain(chosen, spreadBy), bestUse + 1);
  }
  return picked;
}

/**
 * selectSpread over ranked candidates, tier by tier: a later fallback tier (say Cloud) is used only
 * when the earlier tiers have no candidates left, even if it would spread better.
 */
export function selectRankedWithSpread(
  ranked: readonly RankedMember[],
  count: number,
  spreadBy: SpreadBy,
  occupied: readonly DomainMember[] = [],
): RankedMember[] {
  const tiers = [...new Set(ranked.map((r) => r.tierIndex))].sort((a, b) => a - b);
  const picked: RankedMember[] = [];
  const taken: DomainMember[] = [...occupied];
  for (const tier of tiers) {
    if (picked.length >= count) break;
    const inTier = ranked.filter((r) => r.tierIndex === tier);
    const chosen = selectSpread(
      inTier.map((r) => r.member),
      count - picked.length,
      spreadBy,
      taken,
    );
    for (const m of chosen) {
      const r = inTier.find((x) => x.member === m);
      if (r) picked.push(r);
      taken.push(m);
    }
  }
  return picked;
}

/** Groups of members that share a domain (two or more each), in a deterministic order. */
export function sharedDomains<T extends DomainMember>(members: readonly T[], spreadBy: SpreadBy): T[][] {
  if (spreadBy === 'none') return [];
  const byDomain = new Map<string, T[]>();
  for (const m of members) {
    const d = spreadDomain(m, spreadBy);
    byDomain.set(d, [...(byDomain.get(d) ?? []), m]);
  }
  return [...byDomain.entries()]
    .filter(([, ms]) => ms.length > 1)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, ms]) => [...ms].sort((a, b) => compareStrings(a.name, b.name)));
}

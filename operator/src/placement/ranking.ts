// Orders candidate members along a gateway's fallback order (SameRegionEdge → AnyEdge → Cloud),
// nearest first within a tier when locations are known, then by name. Used for initial placement
// (no reference: edges, then cloud if allowed) and by failover (reference = the lost member).
import { compareStrings } from './describe.js';
import type { FallbackTier, MemberView } from './types.js';

export interface RankingOptions {
  /** Tiers in preference order; members in no listed tier are left out. */
  readonly fallback: readonly FallbackTier[];
  /** Region of the member being replaced; without it SameRegionEdge matches nothing. */
  readonly referenceRegion?: string;
  /** Location of the member being replaced, to prefer the nearest candidates. */
  readonly referenceLocation?: { readonly latitude: number; readonly longitude: number };
}

export interface RankedMember {
  readonly member: MemberView;
  readonly tier: FallbackTier;
  /** Position of tier in the fallback order (0 = most preferred). */
  readonly tierIndex: number;
  /** Great-circle distance to the reference location, when both are known. */
  readonly distanceKm?: number;
}

function inTier(member: MemberView, tier: FallbackTier, referenceRegion: string | undefined): boolean {
  switch (tier) {
    case 'SameRegionEdge':
      return member.kind === 'EdgeSite' && referenceRegion !== undefined && member.region === referenceRegion;
    case 'AnyEdge':
      return member.kind === 'EdgeSite';
    case 'Cloud':
      return member.kind === 'CloudCluster';
    default:
      return false;
  }
}

/** The first tier of the fallback order the member belongs to, or undefined when none. */
export function fallbackTierOf(
  member: MemberView,
  fallback: readonly FallbackTier[],
  referenceRegion?: string,
): { tier: FallbackTier; tierIndex: number } | undefined {
  const tierIndex = fallback.findIndex((tier) => inTier(member, tier, referenceRegion));
  const tier = fallback[tierIndex];
  return tier === undefined ? undefined : { tier, tierIndex };
}

/** Haversine distance in kilometres. */
export function distanceKm(
  a: { readonly latitude: number; readonly longitude: number },
  b: { readonly latitude: number; readonly longitude: number },
): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Deterministic order: tier, then distance (known before unknown), then kind and name. */
export function compareRanked(a: RankedMember, b: RankedMember): number {
  if (a.tierIndex !== b.tierIndex) return a.tierIndex - b.tierIndex;
  if (a.distanceKm !== undefined || b.distanceKm !== undefined) {
    if (a.distanceKm === undefined) return 1;
    if (b.distanceKm === undefined) return -1;
    if (a.distanceKm !== b.distanceKm) return a.distanceKm - b.distanceKm;
  }
  return compareStrings(a.member.kind, b.member.kind) || compareStrings(a.member.name, b.member.name);
}

/** Ranks members along the fallback order; members in no tier are dropped. Input order is irrelevant. */
export function rankMembers(members: readonly MemberView[], options: RankingOptions): RankedMember[] {
  const ranked: RankedMember[] = [];
  for (const member of members) {
    const tier = fallbackTierOf(member, options.fallback, options.referenceRegion);
    if (tier === undefined) continue;
    const distance =
      options.referenceLocation && member.location
        ? distanceKm(options.referenceLocation, member.location)
        : undefined;
    ranked.push({ member, ...tier, ...(distance === undefined ? {} : { distanceKm: distance }) });
  }
  return ranked.sort(compareRanked);
}

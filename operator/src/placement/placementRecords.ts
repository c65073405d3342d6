// Building, keying and ordering status.placements entries.
import type { Placement } from '../api/index.js';
import { compareStrings } from './describe.js';
import { COMPONENTS, PLACEMENT_STATES } from './types.js';
import type { Component, MemberKind, PlacementState } from './types.js';

import { memberKey } from '../api/index.js';

export { memberKey };

function rank<T>(list: readonly T[], value: T | undefined): number {
  const i = value === undefined ? -1 : list.indexOf(value);
  return i < 0 ? list.length : i;
}

const MEMBER_KINDS: readonly MemberKind[] = ['EdgeSite', 'CloudCluster'];

/** Canonical order: component, state (serving first), member kind (edge first), member name. */
export function comparePlacements(a: Placement, b: Placement): number {
  return (
    rank(COMPONENTS, a.component) - rank(COMPONENTS, b.component) ||
    rank(PLACEMENT_STATES, a.state) - rank(PLACEMENT_STATES, b.state) ||
    rank(MEMBER_KINDS, a.memberKind) - rank(MEMBER_KINDS, b.memberKind) ||
    compareStrings(a.member ?? '', b.member ?? '')
  );
}

/** A sorted copy, in canonical order. */
export function sortPlacements(placements: readonly Placement[]): Placement[] {
  return [...placements].sort(comparePlacements);
}

/**
 * This component's placements from status, in canonical order, one per member (a duplicate entry
 * would be a status glitch; the first in canonical order wins).
 */
export function existingPlacements(
  placements: readonly Placement[] | undefined,
  component: Component,
): Placement[] {
  const seen = new Set<string>();
  const out: Placement[] = [];
  for (const p of sortPlacements((placements ?? []).filter((p) => p.component === component))) {
    const key = memberKey(p.memberKind, p.member);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

export interface PlacementFields {
  readonly component: Component;
  readonly member: string;
  readonly memberKind: MemberKind;
  readonly state: PlacementState;
  readonly replicas: number;
  readonly reason: string;
  readonly message: string;
  readonly replacedMember?: string;
}

/**
 * A status.placements entry. With previous (the same component on the same member, from status),
 * readyReplicas carries over and since is kept while the state does not change.
 */
export function makePlacement(fields: PlacementFields, now: string, previous?: Placement): Placement {
  const sameState = previous !== undefined && previous.state === fields.state;
  return {
    component: fields.component,
    member: fields.member,
    memberKind: fields.memberKind,
    state: fields.state,
    replicas: fields.replicas,
    readyReplicas: previous?.readyReplicas ?? 0,
    since: sameState && previous.since ? previous.since : now,
    reason: fields.reason,
    message: fields.message,
    ...(fields.replacedMember === undefined ? {} : { replacedMember: fields.replacedMember }),
  };
}

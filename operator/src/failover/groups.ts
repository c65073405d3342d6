// Slots: the gateway wants spec.authorization.sites authorization slots. Each slot belongs to a home
// member (the root) and may, while it fails over or moves, be held by several placements:
//
//   - the home placement: on the root member, without replacedMember (Active, Lost or Draining);
//   - FailoverTargets standing in for the root (replacedMember = root);
//   - a move target: an Active placement with replacedMember = root, made by an SRE's move
//     (the home drains once it serves, then the link is cleared);
//   - placements that stood in and were lost or drained (Lost / Draining with replacedMember = root).
//
// replacedMember always names the root, never a member in between (a replacement of a replacement
// stands in for the home too), so a home can stand in for another slot without merging the two.
// The primary of a slot is the placement meant to hold it when everything settles: the move target,
// else the home if Active and staying, else the newest FailoverTarget that is staying. Every other
// serving placement of the slot is on its way out and drains once the primary serves.
import type { Placement } from '../api/index.js';
import { compareStrings } from '../placement/index.js';
import { parseTime } from './time.js';

/** The member whose slot a placement holds or stands in for. */
export function slotRoot(p: Pick<Placement, 'member' | 'replacedMember'>): string {
  return p.replacedMember === undefined || p.replacedMember === '' ? p.member : p.replacedMember;
}

export interface SlotGroup<T> {
  /** The home member's name. */
  readonly root: string;
  readonly items: T[];
}

/** Groups items by slot, in order of root name; items keep their input order. */
export function groupBySlot<T>(items: readonly T[], placementOf: (item: T) => Placement): SlotGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const root = slotRoot(placementOf(item));
    groups.set(root, [...(groups.get(root) ?? []), item]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([root, groupItems]) => ({ root, items: groupItems }));
}

export interface SlotRoles<T> {
  /** The home placement (on the root, no replacedMember), whatever its state. */
  readonly home?: T;
  /** An Active placement moving the slot (replacedMember = root), staying. */
  readonly moveTarget?: T;
  /** FailoverTargets for the root that are staying, newest first. */
  readonly targets: T[];
  readonly primary?: T;
}

function newestFirst(a: Placement, b: Placement): number {
  return (
    (parseTime(b.since) ?? 0) - (parseTime(a.since) ?? 0) ||
    compareStrings(a.memberKind, b.memberKind) ||
    compareStrings(a.member, b.member)
  );
}

/** The roles in one slot; `leaving(item)` says whether its member may no longer hold it. */
export function slotRoles<T>(
  group: SlotGroup<T>,
  placementOf: (item: T) => Placement,
  leaving: (item: T) => boolean,
): SlotRoles<T> {
  const { root, items } = group;
  const home = items.find((i) => placementOf(i).member === root && !placementOf(i).replacedMember);
  const moveTargets = items
    .filter((i) => {
      const p = placementOf(i);
      return p.state === 'Active' && p.member !== root && p.replacedMember !== undefined && !leaving(i);
    })
    .sort((a, b) => newestFirst(placementOf(a), placementOf(b)));
  const targets = items
    .filter((i) => placementOf(i).state === 'FailoverTarget' && placementOf(i).member !== root && !leaving(i))
    .sort((a, b) => newestFirst(placementOf(a), placementOf(b)));
  const homeActive = home && placementOf(home).state === 'Active' && !leaving(home) ? home : undefined;
  const moveTarget = moveTargets[0];
  const primary = moveTarget ?? homeActive ?? targets[0];
  return {
    ...(home === undefined ? {} : { home }),
    ...(moveTarget === undefined ? {} : { moveTarget }),
    targets,
    ...(primary === undefined ? {} : { primary }),
  };
}

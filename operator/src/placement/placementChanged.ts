// Whether a new set of placements differs from the old one in a way the workloads must be fenced
// against: which members hold which component, in which state (and for whom a failover target
// stands in). Replica counts, readiness, timestamps, reasons and order do not count.
import type { Placement } from '../api/index.js';
import { sortPlacements } from './placementRecords.js';

function identity(p: Placement): string {
  return JSON.stringify([p.component, p.memberKind, p.member, p.state, p.replacedMember ?? '']);
}

/** Placements only in next (added) and only in previous (removed), by identity, in canonical order. */
export function placementDiff(
  previous: readonly Placement[] | undefined,
  next: readonly Placement[] | undefined,
): { added: Placement[]; removed: Placement[] } {
  const a = new Set((previous ?? []).map(identity));
  const b = new Set((next ?? []).map(identity));
  return {
    added: sortPlacements((next ?? []).filter((p) => !a.has(identity(p)))),
    removed: sortPlacements((previous ?? []).filter((p) => !b.has(identity(p)))),
  };
}

/** True when the epoch must grow: a placement appeared, disappeared, or changed state. */
export function placementChanged(
  previous: readonly Placement[] | undefined,
  next: readonly Placement[] | undefined,
): boolean {
  const { added, removed } = placementDiff(previous, next);
  return added.length > 0 || removed.length > 0;
}

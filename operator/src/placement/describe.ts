// Small text helpers shared by the planner's reasons and messages.
import type { MemberKind, MemberView } from './types.js';

/** Authorizations per second still free on a member; undefined when its capacity is not limited. */
export function freeAuthorizationsPerSecond(member: MemberView): number | undefined {
  if (member.capacity === undefined) return undefined;
  return member.capacity.authorizationsPerSecond - member.usedByOthers.authorizationsPerSecond;
}

/** `900/1000 auth/s free`, or `capacity not limited`. */
export function describeCapacity(member: MemberView): string {
  const free = freeAuthorizationsPerSecond(member);
  if (member.capacity === undefined || free === undefined) return 'capacity not limited';
  return `${free}/${member.capacity.authorizationsPerSecond} auth/s free`;
}

/** `zone eu-west-a`, or `region eu-west (no zone)`. */
export function describeWhere(member: Pick<MemberView, 'region' | 'zone'>): string {
  return member.zone ? `zone ${member.zone}` : `region ${member.region} (no zone)`;
}

/** `EdgeSite edge-a` */
export function describeMember(member: { readonly kind: MemberKind; readonly name: string }): string {
  return `${member.kind} ${member.name}`;
}

/** `EdgeSite` / `EdgeSites` */
export function kindNoun(kind: MemberKind, count: number): string {
  return count === 1 ? kind : `${kind}s`;
}

/** `a, b and c` (or `a, b or c`); long lists end in `and N more`. */
export function listText(items: readonly string[], max = 5, conjunction: 'and' | 'or' = 'and'): string {
  if (items.length === 0) return 'none';
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1] ?? ''}`;
}

/** Locale-independent string order, so results do not depend on the process's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

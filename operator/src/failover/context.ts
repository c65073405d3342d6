// Everything one planning pass needs, computed once: the resolved spec, members by key and by
// name, the workload signals, the clock and the eligibility requirements of authorization.
import type { PaymentGateway } from '../api/index.js';
import {
  labelSelectorProblems,
  memberKey,
  normalizeMembers,
  resolveGatewaySpec,
  type EligibilityRequirements,
  type MemberView,
  type ResolvedGatewaySpec,
} from '../placement/index.js';
import { indexSignals, type SignalLookup } from './signals.js';
import { parseTime } from './time.js';
import type { WorkloadSignal } from './types.js';

export interface PlanContext {
  readonly gateway: PaymentGateway;
  readonly spec: ResolvedGatewaySpec;
  /** Sorted by kind and name, one per kind and name. */
  readonly members: readonly MemberView[];
  readonly signal: SignalLookup;
  readonly now: string;
  readonly nowMs: number;
  /** spec.authorization.siteSelector parses; when it does not, nothing new is placed. */
  readonly selectorValid: boolean;
  /** What a member must offer to take a new authorization placement (health and readiness included). */
  readonly requirements: EligibilityRequirements;
  /** What a member must offer to keep one (no health check; selectors dropped while invalid), as placeGateway checks. */
  readonly keepRequirements: EligibilityRequirements;
  memberOf(kind: string | undefined, name: string | undefined): MemberView | undefined;
  /** The member of that name, EdgeSite first (replacedMember holds a name only). */
  memberNamed(name: string | undefined): MemberView | undefined;
}

/** Authorization eligibility, exactly as placeGateway builds it. */
export function authorizationRequirements(spec: ResolvedGatewaySpec): EligibilityRequirements {
  const cloudAllowed = spec.failover.fallback.includes('Cloud');
  return {
    kinds: cloudAllowed ? ['EdgeSite', 'CloudCluster'] : ['EdgeSite'],
    selectors: { EdgeSite: spec.authorization.siteSelector },
    selectorNames: { EdgeSite: 'siteSelector' },
    authorizationsPerSecond: spec.authorization.authorizationsPerSecond,
  };
}

export function planContext(
  gateway: PaymentGateway,
  members: readonly MemberView[],
  workloads: readonly WorkloadSignal[],
  now: string,
): PlanContext {
  const spec = resolveGatewaySpec(gateway);
  const sorted = normalizeMembers(members);
  const byKey = new Map(sorted.map((m) => [memberKey(m.kind, m.name), m]));
  const byName = new Map<string, MemberView>();
  for (const m of sorted) if (!byName.has(m.name) || m.kind === 'EdgeSite') byName.set(m.name, m);
  const selectorValid = labelSelectorProblems(spec.authorization.siteSelector).length === 0;
  const requirements = authorizationRequirements(spec);
  const nowMs = parseTime(now);
  if (nowMs === undefined) throw new Error(`now must be an RFC 3339 time, got ${JSON.stringify(now)}`);
  return {
    gateway,
    spec,
    members: sorted,
    signal: indexSignals(workloads),
    now,
    nowMs,
    selectorValid,
    requirements,
    keepRequirements: selectorValid ? requirements : { ...requirements, selectors: {} },
    memberOf: (kind, name) => byKey.get(memberKey(kind, name)),
    memberNamed: (name) => (name === undefined ? undefined : byName.get(name)),
  };
}

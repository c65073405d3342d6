// The status of an EdgeSite / CloudCluster, computed from what the prober knows. Pure.
//
// desiredMemberStatus() builds the whole status; statusChanges() says
// whether it is worth a write: a probe that only moved lastProbeTime or the latency is not, except
// once per heartbeat interval when one is set (--member-status-heartbeat; off by default, so a
// converged fleet writes nothing: lastProbeTime is the probe that last changed the status, and the
// live probe figures are in the metrics and the routes API).

import {
  MemberConditionType,
  setCondition,
  toRfc3339,
  type CloudClusterStatus,
  type Condition,
  type EdgeSiteStatus,
  type Member,
  type MemberKind,
  type NodeCounts,
} from '../api/index.js';
import { HealthState, normalizeThresholds, type HealthRecord, type HealthThresholds } from './health.js';
import type { ProbeResult, VersionInfo } from './probe.js';
import { MemberConditionReason } from './reasons.js';

export type MemberStatus = EdgeSiteStatus | CloudClusterStatus;

/** No heartbeat: status is written only when something in it changed. */
export const DEFAULT_STATUS_HEARTBEAT_MILLISECONDS = 0;

export interface MemberStatusInput {
  readonly kind: MemberKind;
  /** The resource as last read: spec (cordoned), status (previous values), metadata.generation. */
  readonly member: Pick<Member, 'metadata' | 'spec' | 'status'>;
  readonly health: HealthRecord;
  /** The last probe (absent before the first one). */
  readonly lastProbe?: ProbeResult;
  /** From the last /version read; absent keeps the previous status value. */
  readonly version?: VersionInfo;
  /** From the last node count; absent keeps the previous status value. */
  readonly nodes?: Required<NodeCounts>;
  /** How many placements (any gateway, component, state) the member holds. */
  readonly placements: number;
  /** The member's spec.probe thresholds (for messages). */
  readonly thresholds?: HealthThresholds;
  readonly now: Date;
}

/** The status the member should have. Conditions keep lastTransitionTime while their status is unchanged. */
export function desiredMemberStatus(input: MemberStatusInput): EdgeSiteStatus {
  const previous = input.member.status ?? {};
  const generation = input.member.metadata?.generation;
  const noun = input.kind === 'EdgeSite' ? 'site' : 'cluster';
  const { reachable, ready } = conditionsFor(input, noun);
  const withGeneration = (c: Omit<Condition, 'lastTransitionTime'>) =>
    generation === undefined ? c : { ...c, observedGeneration: generation };
  let conditions = setCondition(previous.conditions, withGeneration(reachable), input.now);
  conditions = setCondition(conditions, withGeneration(ready), input.now);

  const lastProbe = input.lastProbe;
  const latency =
    lastProbe?.ok && lastProbe.latencyMilliseconds !== undefined
      ? Math.round(lastProbe.latencyMilliseconds)
      : previous.lastProbeLatencyMilliseconds;
  const lastProbeTime = lastProbe ? toRfc3339(lastProbe.at) : previous.lastProbeTime;
  const kubernetesVersion = input.version?.gitVersion || previous.kubernetesVersion;
  const distribution = input.version?.gitVersion
    ? input.version.distribution
    : (previous.distribution ?? 'Unknown');
  const nodes = input.nodes ?? previous.nodes;

  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions,
    health: input.health.state,
    healthSince: toRfc3339(input.health.since),
    ...(lastProbeTime !== undefined ? { lastProbeTime } : {}),
    ...(latency !== undefined ? { lastProbeLatencyMilliseconds: latency } : {}),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    distribution,
    ...(nodes ? { nodes: { total: nodes.total ?? 0, ready: nodes.ready ?? 0 } } : {}),
    placements: input.placements,
  };
}

type NewCondition = Omit<Condition, 'lastTransitionTime'>;

function conditionsFor(
  input: MemberStatusInput,
  noun: string,
): { reachable: NewCondition; ready: NewCondition } {
  const { failureThreshold, successThreshold } = normalizeThresholds(input.thresholds);
  const probe = input.lastProbe;
  const lastFailure = probe && !probe.ok ? probe : undefined;
  const Reachable = MemberConditionType.Reachable;
  const Ready = MemberConditionType.Ready;
  const R = MemberConditionReason;

  switch (input.health.state) {
    case HealthState.Unknown: {
      const reachable: NewCondition = lastFailure
        ? {
            type: Reachable,
            status: 'Unknown',
            reason: lastFailure.reason,
            message: `no probe has succeeded yet: ${lastFailure.message}`,
          }
        : {
            type: Reachable,
            status: 'Unknown',
            reason: R.AwaitingFirstProbe,
            message: `the operator has not probed the ${noun} yet`,
          };
      return { reachable, ready: { ...reachable, type: Ready } };
    }
    case HealthState.Unreachable:
      return {
        reachable: {
          type: Reachable,
          status: 'False',
          reason: lastFailure?.reason ?? R.SiteUnreachable,
          message: lastFailure?.message ?? `the ${noun} does not answer its probes`,
        },
        // Ready carries the specific cause (KubeconfigInvalid, Unauthorized, ProbeTimeout, ...):
        // it is what an SRE sees first, and it says what to fix.
        ready: {
          type: Ready,
          status: 'False',
          reason: lastFailure?.reason ?? R.SiteUnreachable,
          message:
            `the ${noun} is unreachable (${failureThreshold} or more consecutive probes failed` +
            `${lastFailure ? `: ${lastFailure.message}` : ''}): its placements fail over`,
        },
      };
    case HealthState.Recovering: {
      const message =
        `the apiserver answers again; the ${noun} is Healthy after ` +
        `${Math.max(successThreshold, 2)} consecutive successful probes`;
      return {
        reachable: { type: Reachable, status: 'True', reason: R.Recovering, message },
        ready: { type: Ready, status: 'False', reason: R.Recovering, message },
      };
    }
    case HealthState.Healthy:
    case HealthState.Suspect: {
      const reachable: NewCondition =
        input.health.state === HealthState.Healthy || !lastFailure
          ? {
              type: Reachable,
              status: 'True',
              reason: R.ProbeSucceeded,
              message: 'the apiserver answers /readyz',
            }
          : {
              type: Reachable,
              status: 'True',
              reason: R.ProbeFailing,
              message:
                `recent probes failed (${lastFailure.reason}: ${lastFailure.message}); the ${noun} becomes ` +
                `Unreachable after ${failureThreshold} consecutive failures`,
            };
      return { reachable, ready: readyWhenReachable(input, noun) };
    }
  }
}

function readyWhenReachable(input: MemberStatusInput, noun: string): NewCondition {
  const nodes = input.nodes ?? input.member.status?.nodes;
  const Ready = MemberConditionType.Ready;
  if (nodes && (nodes.ready ?? 0) === 0) {
    return {
      type: Ready,
      status: 'False',
      reason: MemberConditionReason.NoReadyNodes,
      message:
        (nodes.total ?? 0) === 0
          ? `the ${noun}'s cluster has no nodes`
          : `none of the ${noun}'s ${nodes.total} nodes is Ready`,
    };
  }
  if ('cordoned' in input.member.spec && input.member.spec.cordoned) {
    return {
      type: Ready,
      status: 'False',
      reason: MemberConditionReason.Cordoned,
      message: `the ${noun} is cordoned: it takes no new placements and its placements move elsewhere`,
    };
  }
  const counts = nodes ? `; ${nodes.ready} of ${nodes.total} nodes are Ready` : '';
  return {
    type: Ready,
    status: 'True',
    reason: MemberConditionReason.Healthy,
    message: `the ${noun} answers its probes${counts}`,
  };
}

export interface StatusWriteOptions {
  readonly now: Date;
  /** Write at least this often so lastProbeTime stays fresh (0, the default: never only for that). */
  readonly heartbeatMilliseconds?: number;
}

/**
 * What changed between the status on the server (`old`) and the desired one (`next`) that is
 * worth a write: field names, 'heartbeat' when only the probe time moved and the last write is
 * older than the heartbeat interval, or [] for no write.
 */
export function statusChanges(
  old: MemberStatus | undefined,
  next: MemberStatus,
  options: StatusWriteOptions,
): string[] {
  if (!old) return ['status'];
  const changed: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(normalizeConditions(old.conditions), normalizeConditions(next.conditions)))
    changed.push('conditions');
  for (const field of [
    'observedGeneration',
    'health',
    'healthSince',
    'kubernetesVersion',
    'distribution',
    'placements',
  ] as const) {
    if (old[field] !== next[field]) changed.push(field);
  }
  if (!same(normalizeNodes(old.nodes), normalizeNodes(next.nodes))) changed.push('nodes');
  if (changed.length > 0) return changed;

  if (next.lastProbeTime !== undefined && next.lastProbeTime !== old.lastProbeTime) {
    const heartbeat = options.heartbeatMilliseconds ?? DEFAULT_STATUS_HEARTBEAT_MILLISECONDS;
    if (heartbeat <= 0) return [];
    const lastWritten = old.lastProbeTime ? Date.parse(old.lastProbeTime) : Number.NaN;
    if (Number.isNaN(lastWritten) || options.now.getTime() - lastWritten >= heartbeat) return ['heartbeat'];
  }
  return [];
}

function normalizeConditions(conditions: readonly Condition[] | undefined) {
  return [...(conditions ?? [])]
    .map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration ?? null, c.lastTransitionTime])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

function normalizeNodes(nodes: NodeCounts | undefined) {
  return nodes ? [nodes.total ?? 0, nodes.ready ?? 0] : null;
}

/**
 * A health record seeded from a status written before (e.g. by a previous operator process), so
 * a restart does not forget an Unreachable member (which would otherwise skip Recovering).
 */
export function healthFromStatus(status: MemberStatus | undefined, now: Date): HealthRecord {
  const state = status?.health ?? HealthState.Unknown;
  const parsed = status?.healthSince ? new Date(status.healthSince) : undefined;
  const since = parsed && !Number.isNaN(parsed.getTime()) ? parsed : now;
  if (state === HealthState.Suspect) {
    // Suspect means at least one failure; keep counting from there.
    return { state, since, consecutiveFailures: 1, consecutiveSuccesses: 0, failingSince: since };
  }
  return {
    state,
    since,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    ...(state === HealthState.Unreachable ? { unreachableSince: since } : {}),
  };
}

/** A change of the placements count alone is written at most this often per member. */
export const PLACEMENTS_WRITE_INTERVAL_MILLISECONDS = 5_000;

/**
 * How long to hold a status write back (0: write now). A change of the placements count alone is
 * coalesced: while 1,000 gateways converge, each one's placement moved every member's count, and
 * each move was a status write to the hub (about three per gateway). Anything else — health,
 * conditions, version, nodes — is written at once.
 */
export function statusWriteDelay(
  changes: readonly string[],
  lastWriteMs: number | undefined,
  nowMs: number,
  intervalMs = PLACEMENTS_WRITE_INTERVAL_MILLISECONDS,
): number {
  if (changes.length === 0 || changes.some((c) => c !== 'placements') || lastWriteMs === undefined) return 0;
  return Math.max(0, lastWriteMs + intervalMs - nowMs);
}

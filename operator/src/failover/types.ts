// The failover planner's vocabulary: what the controller tells it about the workloads, and the
// plan it gets back (placements to write, epoch, problems, Events, metrics, the FailedOver
// condition and when to look again).
import type { Component, MemberKind, Placement } from '../api/index.js';
import type { PlacementProblem, RemovedPlacement } from '../placement/index.js';

/**
 * What the controller last saw of one component's workload (its Deployment) on one member.
 * Give one signal per placement in status (whatever its state); a missing signal means "no data".
 */
export interface WorkloadSignal {
  readonly member: string;
  /** Absent: the signal applies to a member of that name of either kind. */
  readonly memberKind?: MemberKind;
  readonly component: Component;
  /** Fresh data: the member is reachable and its workload informer has synced. False when unreachable. */
  readonly observed: boolean;
  /** At least one replica available and rolled out. Only meaningful when observed. */
  readonly available: boolean;
  /**
   * The Deployment exists on the member. Absent means it does. A Draining placement leaves the plan once
   * its workload is observed with present: false (the controller's prune step removed it).
   */
  readonly present?: boolean;
}

/** Reasons of the Kubernetes Events the plan asks the controller to record on the gateway. */
export type PlanEventReason =
  | 'SiteUnreachable'
  | 'WorkloadUnavailable'
  | 'FailoverStarted'
  | 'FailoverCompleted'
  | 'FailbackStarted'
  | 'FailbackCompleted'
  | 'PlacementFenced'
  | 'PlacementRecovered'
  | 'PlacementReinstated'
  | 'PlacementPromoted'
  | 'LedgerPromoted'
  | 'NoFailoverTarget'
  | 'MoveStarted'
  | 'MoveCompleted';

export interface PlanEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: PlanEventReason;
  readonly message: string;
  /** The member the event is mostly about. */
  readonly member?: string;
}

/**
 * Why a failover started (the `reason` label of paygrid_failovers_total): the member failed
 * (SiteUnreachable, WorkloadUnavailable) or must be left (Cordoned, NotSelected, KindNotAllowed,
 * InsufficientCapacity), or it was Lost before this pass (PlacementLost).
 */
export type FailoverCause =
  | 'SiteUnreachable'
  | 'WorkloadUnavailable'
  | 'Cordoned'
  | 'NotSelected'
  | 'KindNotAllowed'
  | 'InsufficientCapacity'
  | 'PlacementLost';

/** One failover started in this pass (for paygrid_failovers_total{from,to,reason}). */
export interface FailoverRecord {
  /** The member whose placement failed or is being left. */
  readonly from: string;
  /** The member of the new FailoverTarget. */
  readonly to: string;
  readonly reason: FailoverCause;
}

/** A FailoverTarget that started serving in this pass (for paygrid_failover_duration_seconds). */
export interface FailoverCompletion {
  /** The member it stands in for. */
  readonly from: string;
  readonly to: string;
  /** From the failover's start (the target's since) to now. */
  readonly seconds: number;
}

/** The FailedOver condition of the gateway. */
export interface FailedOverStatus {
  readonly status: boolean;
  /** CamelCase: FailedOver, FailoverInProgress, FailbackInProgress, NoFailoverTarget, ManualFailoverRequired, NoFailover. */
  readonly reason: string;
  readonly message: string;
}

export interface GatewayPlan {
  /** status.placements to write, in canonical order (every component). */
  readonly placements: Placement[];
  /** status.epoch: the previous one, plus one when the placements changed. */
  readonly epoch: number;
  /** Whether the placements differ from status (placementChanged). */
  readonly changed: boolean;
  /** Entries of status.placements that leave the plan (drained, member deleted, component removed). */
  readonly removed: RemovedPlacement[];
  readonly problems: PlacementProblem[];
  /** Events to record, each once: they are derived from the change between status and the plan. */
  readonly events: PlanEvent[];
  readonly failovers: FailoverRecord[];
  readonly failoversCompleted: FailoverCompletion[];
  readonly failedOver: FailedOverStatus;
  /** When the next time-based transition is due (end of a detection or stabilization window). */
  readonly requeueAfterMs?: number;
}

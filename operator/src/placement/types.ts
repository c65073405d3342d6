// The vocabulary of placement decisions: the member view model the planner works on, and
// the result it returns. Enum-like types are derived from the generated API types so the
// CRD stays the one source of truth.
import type {
  AuthorizationSpec,
  Component,
  FailoverMode,
  FallbackStep,
  MemberHealth,
  MemberKind,
  Placement,
  PlacementState,
} from '../api/index.js';

export type { Component, FailoverMode, MemberHealth, MemberKind, PlacementState };
/** zone | region | none */
export type SpreadBy = NonNullable<AuthorizationSpec['spreadBy']>;
/** SameRegionEdge | AnyEdge | Cloud: a step of spec.failover.fallback. */
export type FallbackTier = FallbackStep;

/** Components in the order they are listed in status and rendered. */
export const COMPONENTS: readonly Component[] = ['authorization', 'ledger', 'analytics'];
/** States in the order they are listed in status (serving first). */
export const PLACEMENT_STATES: readonly PlacementState[] = [
  'Active',
  'FailoverTarget',
  'Standby',
  'Draining',
  'Lost',
];

/**
 * What the planner knows about one member cluster: a plain snapshot built from an EdgeSite
 * or CloudCluster (see memberView.ts) plus what other gateways already reserve on it.
 */
export interface MemberView {
  readonly name: string;
  readonly kind: MemberKind;
  readonly region: string;
  /** Absent: the member counts as its own zone. */
  readonly zone?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: MemberHealth;
  /** When health last changed (RFC 3339), for messages. */
  readonly healthSince?: string;
  /** The member's Ready condition is True. */
  readonly ready: boolean;
  readonly cordoned: boolean;
  /** Absent: not limited by authorization capacity (cloud clusters). */
  readonly capacity?: { readonly authorizationsPerSecond: number };
  /** Authorizations per second reserved on this member by other gateways (not the one being placed). */
  readonly usedByOthers: { readonly authorizationsPerSecond: number };
  readonly endpoint?: string;
  readonly location?: { readonly latitude: number; readonly longitude: number };
}

/** Error: a component is not placed as desired (the gateway is Degraded). Warning: placed, not ideally. */
export type ProblemSeverity = 'Error' | 'Warning';

/** Something the planner could not do as asked, with what to change. */
export interface PlacementProblem {
  readonly component: Component;
  readonly severity: ProblemSeverity;
  /** CamelCase, e.g. NoEligibleSites, InsufficientCapacity, PrimaryNotFound, SpreadUnsatisfiable. */
  readonly reason: string;
  /** Says what is wrong and what to change. */
  readonly message: string;
}

/** A placement that was in status and is no longer desired: its workloads are to be removed. */
export interface RemovedPlacement {
  readonly placement: Placement;
  /** CamelCase, e.g. MemberNotFound, NotSelected, Cordoned, ScaledDown, NoLongerConfigured. */
  readonly reason: string;
  readonly message: string;
}

export interface PlacementResult {
  /** Desired placements, in canonical order (component, state, member). */
  readonly placements: Placement[];
  /** Placements from status that are dropped (for cleanup, Events and status.pendingCleanup). */
  readonly removed: RemovedPlacement[];
  /** Empty when every component is placed as asked. */
  readonly problems: PlacementProblem[];
  /** placementChanged(status.placements, placements). */
  readonly changed: boolean;
  /** status.epoch, plus one when changed. */
  readonly epoch: number;
}

// The health state machine of one member cluster, driven by probe outcomes. Pure: no I/O, no clock.
//
//   Unknown   --ok-->                                   Healthy   (first contact needs no recovery)
//   Unknown   --fail, failures >= failureThreshold-->    Unreachable
//   Healthy   --fail-->                                  Suspect   (Unreachable at once if failureThreshold is 1)
//   Suspect   --ok-->                                    Healthy
//   Suspect   --fail, failures >= failureThreshold-->    Unreachable
//   Unreachable --ok-->                                  Recovering
//   Recovering --ok, successes >= successThreshold-->    Healthy
//   Recovering --fail-->                                 Unreachable
//
// An Unreachable member always passes through Recovering for at least one probe: the probe
// that first answers moves it to Recovering, so Healthy needs max(successThreshold, 2)
// consecutive successes in all.

import type { MemberHealth } from '../api/index.js';
import { MemberEventReason, type OutcomeReason } from './reasons.js';

/** The health states (status.health of EdgeSite / CloudCluster). */
export const HealthState = {
  Unknown: 'Unknown',
  Healthy: 'Healthy',
  Suspect: 'Suspect',
  Unreachable: 'Unreachable',
  Recovering: 'Recovering',
} as const satisfies Record<MemberHealth, MemberHealth>;
export type HealthState = MemberHealth;

export interface HealthRecord {
  readonly state: HealthState;
  /** When the member entered `state`. */
  readonly since: Date;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** First failure of the current run of failures; absent when the last probe succeeded. */
  readonly failingSince?: Date;
  /** When the member last became Unreachable; kept through Recovering, dropped once Healthy. */
  readonly unreachableSince?: Date;
}

/** What one probe found. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly reason: OutcomeReason;
  /** A sentence a person can act on (no secrets). */
  readonly message: string;
  readonly at: Date;
}

export interface HealthThresholds {
  /** Consecutive failures that make a member Unreachable (default 3). */
  readonly failureThreshold?: number;
  /** Consecutive successes that make an Unreachable member Healthy again (default 2). */
  readonly successThreshold?: number;
}

export const DEFAULT_FAILURE_THRESHOLD = 3;
export const DEFAULT_SUCCESS_THRESHOLD = 2;

export interface HealthTransition {
  readonly from: HealthState;
  readonly to: HealthState;
  readonly at: Date;
  /** Reason for the Kubernetes Event (SiteUnreachable, SiteRecovered, ...). */
  readonly eventReason: MemberEventReason;
  readonly eventType: 'Normal' | 'Warning';
  readonly message: string;
  /**
   * For a Healthy/Suspect member becoming Unreachable: milliseconds from the first failed
   * probe of the run to the probe that crossed failureThreshold (the failure-detection time).
   */
  readonly detectionMilliseconds?: number;
  /** For Recovering -> Healthy: how long the member was Unreachable, in milliseconds. */
  readonly downtimeMilliseconds?: number;
}

export interface HealthStep {
  readonly record: HealthRecord;
  /** Present only when the state changed. */
  readonly transition?: HealthTransition;
}

/** The record of a member that has not been probed yet. */
export function initialHealth(at: Date): HealthRecord {
  return { state: HealthState.Unknown, since: at, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}

/** Thresholds with defaults applied, clamped to at least 1 (whole numbers). */
export function normalizeThresholds(t: HealthThresholds | undefined): Required<HealthThresholds> {
  return {
    failureThreshold: atLeastOne(t?.failureThreshold, DEFAULT_FAILURE_THRESHOLD),
    successThreshold: atLeastOne(t?.successThreshold, DEFAULT_SUCCESS_THRESHOLD),
  };
}

function atLeastOne(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(1, Math.floor(value));
}

/** Advance the state machine by one probe outcome. */
export function nextHealth(
  prev: HealthRecord,
  outcome: ProbeOutcome,
  thresholds?: HealthThresholds,
): HealthStep {
  const { failureThreshold, successThreshold } = normalizeThresholds(thresholds);
  return outcome.ok ? onSuccess(prev, outcome, successThreshold) : onFailure(prev, outcome, failureThreshold);
}

function onSuccess(prev: HealthRecord, outcome: ProbeOutcome, successThreshold: number): HealthStep {
  const successes = prev.consecutiveSuccesses + 1;
  const counts = { consecutiveFailures: 0, consecutiveSuccesses: successes };
  switch (prev.state) {
    case HealthState.Healthy:
      return { record: { state: prev.state, since: prev.since, ...counts } };
    case HealthState.Unknown:
      return move(prev, HealthState.Healthy, outcome.at, counts, {
        eventReason: MemberEventReason.SiteReachable,
        eventType: 'Normal',
        message: 'first successful probe: the apiserver answers',
      });
    case HealthState.Suspect:
      return move(prev, HealthState.Healthy, outcome.at, counts, {
        eventReason: MemberEventReason.SiteReachable,
        eventType: 'Normal',
        message: `probe succeeded again after ${plural(prev.consecutiveFailures, 'failed probe')}`,
      });
    case HealthState.Unreachable:
      return move(
        prev,
        HealthState.Recovering,
        outcome.at,
        { ...counts, unreachableSince: prev.unreachableSince ?? prev.since },
        {
          eventReason: MemberEventReason.SiteRecovering,
          eventType: 'Normal',
          message:
            `the apiserver answers again; the site is Healthy after ` +
            `${plural(Math.max(successThreshold, 2), 'consecutive successful probe')}`,
        },
      );
    case HealthState.Recovering: {
      if (successes < successThreshold) {
        return {
          record: {
            state: prev.state,
            since: prev.since,
            ...counts,
            ...(prev.unreachableSince ? { unreachableSince: prev.unreachableSince } : {}),
          },
        };
      }
      const down = prev.unreachableSince
        ? Math.max(0, outcome.at.getTime() - prev.unreachableSince.getTime())
        : undefined;
      return move(prev, HealthState.Healthy, outcome.at, counts, {
        eventReason: MemberEventReason.SiteRecovered,
        eventType: 'Normal',
        message:
          `the site answered ${plural(successes, 'consecutive probe')} and is Healthy again` +
          (down === undefined ? '' : ` after ${formatDuration(down)} unreachable`),
        ...(down === undefined ? {} : { downtimeMilliseconds: down }),
      });
    }
  }
}

function onFailure(prev: HealthRecord, outcome: ProbeOutcome, failureThreshold: number): HealthStep {
  const failures = prev.consecutiveFailures + 1;
  const failingSince = prev.consecutiveFailures > 0 && prev.failingSince ? prev.failingSince : outcome.at;
  const counts = { consecutiveFailures: failures, consecutiveSuccesses: 0, failingSince };
  const last = `${outcome.reason}: ${outcome.message}`;
  switch (prev.state) {
    case HealthState.Unreachable:
      return {
        record: {
          state: prev.state,
          since: prev.since,
          ...counts,
          unreachableSince: prev.unreachableSince ?? prev.since,
        },
      };
    case HealthState.Recovering:
      return move(
        prev,
        HealthState.Unreachable,
        outcome.at,
        // A flap while recovering continues the same outage.
        { ...counts, unreachableSince: prev.unreachableSince ?? outcome.at },
        {
          eventReason: MemberEventReason.SiteUnreachable,
          eventType: 'Warning',
          message: `probe failed again while recovering: ${last}`,
        },
      );
    case HealthState.Unknown:
      if (failures < failureThreshold) {
        return { record: { state: prev.state, since: prev.since, ...counts } };
      }
      return move(
        prev,
        HealthState.Unreachable,
        outcome.at,
        { ...counts, unreachableSince: outcome.at },
        {
          eventReason: MemberEventReason.SiteUnreachable,
          eventType: 'Warning',
          message: `no probe has succeeded yet; ${plural(failures, 'consecutive probe')} failed: ${last}`,
        },
      );
    case HealthState.Healthy:
    case HealthState.Suspect: {
      if (failures < failureThreshold) {
        if (prev.state === HealthState.Suspect) {
          return { record: { state: prev.state, since: prev.since, ...counts } };
        }
        return move(prev, HealthState.Suspect, outcome.at, counts, {
          eventReason: MemberEventReason.SiteSuspect,
          eventType: 'Warning',
          message: `probe failed (${failures} of ${failureThreshold} before Unreachable): ${last}`,
        });
      }
      const detection = Math.max(0, outcome.at.getTime() - failingSince.getTime());
      return move(
        prev,
        HealthState.Unreachable,
        outcome.at,
        { ...counts, unreachableSince: outcome.at },
        {
          eventReason: MemberEventReason.SiteUnreachable,
          eventType: 'Warning',
          message: `${plural(failures, 'consecutive probe')} failed in ${formatDuration(detection)}: ${last}`,
          detectionMilliseconds: detection,
        },
      );
    }
  }
}

type Counts = Omit<HealthRecord, 'state' | 'since'>;
type TransitionDetails = Omit<HealthTransition, 'from' | 'to' | 'at'>;

function move(
  prev: HealthRecord,
  to: HealthState,
  at: Date,
  counts: Counts,
  details: TransitionDetails,
): HealthStep {
  return {
    record: { state: to, since: at, ...counts },
    transition: { from: prev.state, to, at, ...details },
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** 1234 -> "1.2s", 95000 -> "1m35s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours}h${minutes}m${seconds}s` : `${minutes}m${seconds}s`;
}

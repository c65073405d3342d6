// The transaction-path failure signal: a serving placement on a reachable member whose workload has
// been unavailable for spec.failover.detectionWindowSeconds has failed, even though the member's
// apiserver answers. When it became unavailable is kept in the placement (unavailableSince), so a
// restarted operator continues the count instead of starting over.
//
// A placement that has not been available yet in its current state (a new replacement, a returning
// site) carries unavailableSince = since; it gets max(detection window, ROLLOUT_GRACE_SECONDS) to
// roll out before it counts as failed.
import type { Placement } from '../api/index.js';
import type { WorkloadSignal } from './types.js';
import { formatTime, parseTime, ROLLOUT_GRACE_SECONDS } from './time.js';

export interface AvailabilityVerdict {
  /** The value to keep in the placement (absent while available). */
  readonly unavailableSince?: string;
  /** Unavailable for longer than allowed: the placement has failed. */
  readonly failed: boolean;
  /** When it will count as failed if it stays unavailable (ms), for the requeue. */
  readonly deadlineMs?: number;
  /** How long it was allowed to be unavailable (seconds), for messages. */
  readonly allowedSeconds?: number;
}

/** Whether the placement has not been available since it entered its state (see above). */
export function isRollingOut(p: Pick<Placement, 'since' | 'unavailableSince'>): boolean {
  const since = parseTime(p.since);
  return since !== undefined && parseTime(p.unavailableSince) === since;
}

/**
 * When a count that starts now is recorded. Times are kept at second precision, and
 * unavailableSince = since means "never available in this state": a workload that was available
 * and broke within the second its state began would read as still rolling out, and get the
 * rollout grace period (minutes) instead of the detection window. So such a count is recorded as
 * starting one second after `since` — at most a second late, the precision of every time here.
 */
function startOfCount(p: Placement, nowMs: number): string {
  const now = formatTime(nowMs);
  const since = parseTime(p.since);
  return since !== undefined && parseTime(now) === since ? formatTime(since + 1000) : now;
}

/** Judges one serving placement on a reachable member against its workload signal. */
export function assessAvailability(
  p: Placement,
  signal: WorkloadSignal | undefined,
  nowMs: number,
  detectionWindowSeconds: number,
  graceSeconds: number = ROLLOUT_GRACE_SECONDS,
): AvailabilityVerdict {
  const keep = p.unavailableSince === undefined ? {} : { unavailableSince: p.unavailableSince };
  // No fresh data (member Suspect, informer not synced): neither start, stop nor advance the count.
  if (signal?.observed !== true) return { ...keep, failed: false };
  if (signal.available && signal.present !== false) return { failed: false };
  const unavailableSince =
    p.unavailableSince !== undefined && parseTime(p.unavailableSince) !== undefined
      ? p.unavailableSince
      : startOfCount(p, nowMs);
  const from = parseTime(unavailableSince) ?? nowMs;
  const allowedSeconds = isRollingOut({ since: p.since, unavailableSince })
    ? Math.max(detectionWindowSeconds, graceSeconds)
    : detectionWindowSeconds;
  const deadlineMs = from + allowedSeconds * 1000;
  return { unavailableSince, failed: nowMs >= deadlineMs, deadlineMs, allowedSeconds };
}

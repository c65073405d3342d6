// Time as the planner sees it: RFC 3339 strings in status, milliseconds for arithmetic.
import { toRfc3339 } from '../api/index.js';

/**
 * Seconds a placement that has not yet been available in its current state (a new replacement, a
 * returning site) may take to roll out before the detection window starts counting against it.
 * Without it a slow image pull would make every new target look failed.
 */
export const ROLLOUT_GRACE_SECONDS = 120;

/** Milliseconds since the epoch, or undefined for a missing or malformed time. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 at second precision. */
export function formatTime(ms: number): string {
  return toRfc3339(new Date(ms));
}

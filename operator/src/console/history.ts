/**
 * The failover timeline's memory. A gateway's status holds each record only while it matters: the
 * site's Unreachable time until it comes back, the Lost placement until it drains, the stand-in's
 * times until failback removes it. So a timeline read from the status alone loses its first steps
 * when the site returns and the whole entry after failback. This keeps every time once seen, so
 * one entry tells the whole story: lost → detected → placed → serving → failback → returned.
 *
 * Pure: the operator calls it on every gateway update it sees (console-api.ts) and keeps the result
 * in memory. The times are still only the operator's own records, never guessed.
 */
import { type TimelineEntry, type TimelineStep, withTotal } from './view.js';

/** Entries kept per gateway once they are over (newest first); live ones are always kept. */
export const DEFAULT_KEPT_PER_GATEWAY = 5;

/**
 * The kept entries of one gateway, advanced by what its status shows now (`live`, from
 * gatewayTimeline). A live entry continues the kept live entry for the same lost member, taking
 * every time recorded in either (a time recorded now wins); a kept live entry the status no longer
 * shows is over: kept with live false. A member lost again after that starts a new entry.
 */
export function mergeTimeline(
  kept: readonly TimelineEntry[],
  live: readonly TimelineEntry[],
  keepEnded = DEFAULT_KEPT_PER_GATEWAY,
): TimelineEntry[] {
  const open = new Map(kept.filter((e) => e.live).map((e) => [e.from, e]));
  const now = live.map((cur) => {
    const before = open.get(cur.from);
    open.delete(cur.from);
    return before ? continueEntry(before, cur) : cur;
  });
  const ended = [
    ...[...open.values()].map((e) => ({ ...e, live: false })),
    ...kept.filter((e) => !e.live),
  ].slice(0, Math.max(0, keepEnded));
  return [...now, ...ended];
}

function continueEntry(before: TimelineEntry, cur: TimelineEntry): TimelineEntry {
  const old = new Map(before.steps.map((s) => [s.step, s]));
  const steps = cur.steps.map((s): TimelineStep => {
    if (s.at !== null) return s;
    const was = old.get(s.step);
    return was?.at ? was : s;
  });
  return withTotal({ ...cur, to: cur.to ?? before.to, steps });
}

// The replay's decisions, pure. Which journal entries go in the next batch to the ledger (in
// journal order, and never a capture or void in the same batch as the hold it names, so the hold
// is booked first whatever order the ledger applies a batch in), and what the ledger's answer to
// each entry means for it: acknowledged (forwarded), refused for good (rejected, kept with its
// reason), or to be tried again later.
import type { OutboxEntry } from './journal.js';

/** The longest prefix of `queued` that holds no entry depending on another entry of the prefix. */
export function nextReplayBatch(queued: readonly OutboxEntry[], max: number): OutboxEntry[] {
  const batch: OutboxEntry[] = [];
  const ids = new Set<string>();
  for (const entry of queued) {
    if (batch.length >= max) break;
    const dependsOn = entry.transfer.pendingId;
    if (dependsOn !== undefined && ids.has(dependsOn)) break;
    batch.push(entry);
    ids.add(entry.transfer.id);
  }
  return batch;
}

export type ReplayOutcome =
  | { readonly settle: 'forwarded' }
  | { readonly settle: 'rejected'; readonly reason: string }
  | { readonly settle: 'retry'; readonly reason: string };

/** One entry's result in the ledger's batch answer (`{ status, transfer | error }`). */
export function replayOutcome(
  entry: OutboxEntry,
  result: { status?: unknown; error?: { reason?: unknown } } | undefined,
): ReplayOutcome {
  const status = typeof result?.status === 'number' ? result.status : 0;
  const reason = typeof result?.error?.reason === 'string' ? result.error.reason : `status ${status}`;
  if (status === 200 || status === 201) return { settle: 'forwarded' };
  // A cancel releases a hold only if the ledger booked it; no such hold means nothing to release.
  if (entry.kind === 'cancel' && (reason === 'PendingNotFound' || reason === 'PendingAlreadyResolved'))
    return { settle: 'forwarded' };
  // A void of a hold the ledger already voided or expired has the effect it wanted.
  if (entry.kind === 'void' && reason === 'PendingAlreadyResolved') return { settle: 'forwarded' };
  if (status === 0 || status >= 500 || status === 429 || reason === 'Fenced')
    return { settle: 'retry', reason };
  return { settle: 'rejected', reason };
}

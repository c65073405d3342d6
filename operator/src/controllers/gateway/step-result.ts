// What a gateway sub-reconciler returns: what happens next (the Flux source-controller's shape).
// Steps say it in their result instead of setting flags on the shared pass, so the loop in
// gateway-controller.ts reads as it runs, and how the pass ends is one pure function, tested here.
import type { ReconcileResult } from '../../runtime/controller.js';

export type StepResult =
  /**
   * Run the next step. `requeueWithinMs`: the next pass starts at most this late (a cleanup
   * retry, the planner's next deadline). `cachesPending`: a member's cache has not synced, so
   * readiness cannot be judged this pass.
   */
  | {
      readonly next: 'continue';
      readonly requeueWithinMs?: number | undefined;
      readonly cachesPending?: boolean;
    }
  /** The finalizer was removed: the object may be gone, write nothing more. */
  | { readonly next: 'stop' }
  /** A step wrote status itself (a move): end this pass; the next starts from the new state. */
  | { readonly next: 'requeue'; readonly afterMs: number };

export const CONTINUE: StepResult = { next: 'continue' };

/** Converged gateways are still looked at this often (rollouts stall silently otherwise). */
export const STEADY_REQUEUE_MS = 5 * 60_000;
/** While a rollout or failover is in flight (Progressing=True). */
export const IN_FLIGHT_REQUEUE_MS = 10_000;
/** While a member's workload cache syncs. */
export const CACHE_WAIT_MS = 250;

/** How the steps end a pass: now, with this result, or by summarising status. */
export type StepsOutcome =
  | { readonly summarise: false; readonly result: ReconcileResult | undefined }
  | { readonly summarise: true; readonly requeueWithinMs: number | undefined };

/**
 * Folds the results of the steps run, in order: the first that does not continue decides (later
 * ones are ignored); otherwise the status is summarised, unless a cache is pending outside a
 * deletion (judging readiness before the member caches sync would flap Ready, and write twice,
 * after every restart; a deletion does not judge readiness).
 */
export function foldSteps(results: readonly StepResult[], deleting: boolean): StepsOutcome {
  let requeueWithinMs: number | undefined;
  let cachesPending = false;
  for (const r of results) {
    if (r.next === 'stop') return { summarise: false, result: undefined };
    if (r.next === 'requeue') return { summarise: false, result: { requeueAfter: r.afterMs } };
    if (r.requeueWithinMs !== undefined) {
      requeueWithinMs =
        requeueWithinMs === undefined ? r.requeueWithinMs : Math.min(requeueWithinMs, r.requeueWithinMs);
    }
    if (r.cachesPending) cachesPending = true;
  }
  if (cachesPending && !deleting) return { summarise: false, result: { requeueAfter: CACHE_WAIT_MS } };
  return { summarise: true, requeueWithinMs };
}

/** The pass's result once status is summarised: the steps' requeue, else by whether work is in flight. */
export function afterSummary(requeueWithinMs: number | undefined, inFlight: boolean): ReconcileResult {
  return { requeueAfter: requeueWithinMs ?? (inFlight ? IN_FLIGHT_REQUEUE_MS : STEADY_REQUEUE_MS) };
}

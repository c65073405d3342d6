// Drift: what a member's live Deployment says about the one paygrid last applied there. The
// member informer shows every change at once, so a Deployment scaled to zero, edited or deleted
// by hand is re-applied in place within the next pass — before the failure detector could
// count the workload as lost and fail it over (issue 11).
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';

/** What the applied cache remembers of the last apply of one object. */
export interface AppliedRecord {
  /** metadata.generation in the apply's answer (a spec change by anyone else raises it). */
  generation?: number;
  /** The informer has shown that apply (its generation and labels): lag is over. */
  confirmed: boolean;
}

export type DriftCheck =
  /** The informer has not shown the last apply yet: nothing can be said. */
  | { kind: 'unconfirmed' }
  /** The live object is the one applied. */
  | { kind: 'matches' }
  /** Someone else changed or deleted it; `what` says how, for the Event. */
  | { kind: 'drifted'; what: string[] };

/** Pure: compares the rendered Deployment, the live one and what was recorded at apply. */
export function checkDeployment(
  rendered: KubernetesObject & { spec?: { replicas?: number } },
  live: V1Deployment | undefined,
  applied: AppliedRecord | undefined,
): DriftCheck {
  if (!applied) return { kind: 'unconfirmed' };
  if (!live) return applied.confirmed ? { kind: 'drifted', what: ['deleted'] } : { kind: 'unconfirmed' };
  const what: string[] = [];
  const generation = live.metadata?.generation;
  // Generations only grow, so a higher one than our apply's is someone else's spec write even
  // while the informer lags; a lower one is the informer still showing the object before it.
  const specChanged =
    applied.generation !== undefined && generation !== undefined && generation > applied.generation;
  if (specChanged) {
    const want = rendered.spec?.replicas;
    const have = live.spec?.replicas;
    what.push(
      want !== undefined && have !== want
        ? `replicas ${have ?? 'unset'} (want ${want})`
        : `spec changed (generation ${applied.generation} → ${generation})`,
    );
  }
  const labels = labelDrift(rendered.metadata?.labels ?? {}, live.metadata?.labels ?? {});
  if (specChanged) return { kind: 'drifted', what: [...what, ...labels] };
  if (!applied.confirmed) {
    // Our own apply not shown yet: labels may still be the previous ones.
    return generation === applied.generation && labels.length === 0
      ? { kind: 'matches' }
      : { kind: 'unconfirmed' };
  }
  return labels.length > 0 ? { kind: 'drifted', what: labels } : { kind: 'matches' };
}

function labelDrift(want: Record<string, string>, have: Record<string, string>): string[] {
  return Object.entries(want)
    .filter(([k, v]) => have[k] !== v)
    .map(([k, v]) =>
      have[k] === undefined ? `label ${k} removed (want ${v})` : `label ${k}=${have[k]} (want ${v})`,
    );
}

/** What one object's apply should do, from the cache and the drift signals (pure). */
export interface ReapplyVerdict {
  /** Send the apply. */
  readonly apply: boolean;
  /** Say in a DriftCorrected Event what was put back (only for a correction with a cause). */
  readonly corrected?: string[];
}

export function reapplyVerdict(input: {
  /** The cache holds this exact content as applied. */
  readonly current: boolean;
  /** The owned-objects audit found it drifted (applied-cache markDrifted). */
  readonly found?: string[];
  /** The Deployment check, when the member's informer has synced (Deployments only). */
  readonly check?: DriftCheck;
  /** The Deployment is not in the informer's cache. */
  readonly liveMissing?: boolean;
}): ReapplyVerdict {
  let drifted = input.found;
  if (input.check?.kind === 'drifted') drifted = input.check.what;
  // Not in the cache yet (informer lag, or deleted before we saw it): apply again, a no-op on the
  // member when it is there.
  else if (input.check !== undefined && input.current && input.liveMissing) drifted = [];
  if (input.current && drifted === undefined) return { apply: false };
  const cause = input.current || input.found !== undefined;
  return cause && drifted && drifted.length > 0 ? { apply: true, corrected: drifted } : { apply: true };
}

// Which pods a site's endpoint forwards to: the testbed has no kube-proxy and no load balancer, so
// each real site gets this small TCP one in front of the pods of one component (pure part).
import type { V1Pod } from '@kubernetes/client-node';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** Ready, running, not terminating pods with an IP, by pod name (a stable order). */
export function readyTargets(pods: readonly V1Pod[], port: number): Target[] {
  return pods
    .filter(
      (p) =>
        p.status?.phase === 'Running' &&
        !!p.status.podIP &&
        !p.metadata?.deletionTimestamp &&
        (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((p) => ({ host: p.status!.podIP!, port }));
}

/** Round robin over the current targets; undefined when there is none. */
export function pick(targets: readonly Target[], counter: number): Target | undefined {
  return targets.length === 0 ? undefined : targets[counter % targets.length];
}

// Observe: reads each placement's Deployment from the member informers and
// records replicas, readiness and rollout progress. A member we cannot reach
// yields "not observed": its last known counts stay, it serves no route.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Placement } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { componentObjectName } from '../../render/index.js';
import { isReachable, memberViews } from './member-views.js';
import { workloadKey, type GatewayDeps, type GatewayPass, type WorkloadObservation } from './pass.js';
import type { StepResult } from './step-result.js';

/** Pure: what a Deployment says about availability and rollout. */
export function observeDeployment(
  d: V1Deployment | undefined,
): Omit<WorkloadObservation, 'observed' | 'present'> {
  if (!d) return { available: false, rolledOut: false, readyReplicas: 0 };
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  const current = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  const rolledOut =
    current &&
    (st.updatedReplicas ?? 0) >= want &&
    (st.availableReplicas ?? 0) >= want &&
    (st.replicas ?? 0) <= want; // no old pods left
  return { available: (st.availableReplicas ?? 0) > 0, rolledOut, readyReplicas: st.readyReplicas ?? 0 };
}

/**
 * Observes the workload of every placement in status, before planning: the
 * planner decides from these signals (lost sites, broken workloads, drained
 * placements whose objects are gone).
 */
export async function observeStep(pass: GatewayPass, deps: GatewayDeps): Promise<StepResult> {
  const ns = pass.gateway.metadata?.namespace ?? '';
  const name = pass.gateway.metadata?.name ?? '';
  pass.members = memberViews(deps.hub, deps.registry, pass.gateway);
  // A reachable member's workload cache has not synced yet (just after start or a kubeconfig
  // change): readiness is unknown there.
  let cachesPending = false;
  for (const p of pass.gateway.status?.placements ?? []) {
    const key = memberKey(p.memberKind, p.member);
    const reachable = isReachable(deps.registry, key);
    if (reachable && deps.workloads.syncPending(key)) cachesPending = true;
    if (!reachable || !deps.workloads.hasSynced(key)) {
      pass.workloads.set(workloadKey(key, p.component), {
        observed: false,
        present: true,
        available: false,
        rolledOut: false,
        readyReplicas: p.readyReplicas ?? 0,
      });
      continue;
    }
    const d = deps.workloads.deployment(key, ns, componentObjectName(name, p.component));
    pass.workloads.set(workloadKey(key, p.component), {
      observed: true,
      present: d !== undefined,
      ...observeDeployment(d),
    });
  }
  return { next: 'continue', cachesPending };
}

/** Fills each planned placement's readyReplicas from what was observed. */
export function withReadiness(pass: GatewayPass): Placement[] {
  return pass.placements.map((p) => {
    const w = pass.workloads.get(workloadKey(memberKey(p.memberKind, p.member), p.component));
    return w?.observed ? { ...p, readyReplicas: w.readyReplicas } : p;
  });
}

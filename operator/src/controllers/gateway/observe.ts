// Observe: reads each placement's Deployment from the member informers and
// records replicas, readiness and rollout progress. A member we cannot reach
// yields "not observed": its last known counts stay, it serves no route.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Placement } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { componentObjectName } from '../../render/index.js';
import { isReachable } from './member-views.js';
import { workloadKey, type GatewayDeps, type GatewayPass, type WorkloadObservation } from './pass.js';

/** Pure: what a Deployment says about availability and rollout. */
export function observeDeployment(d: V1Deployment | undefined): Omit<WorkloadObservation, 'observed'> {
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

export async function observeStep(pass: GatewayPass, deps: GatewayDeps): Promise<void> {
  const ns = pass.gateway.metadata?.namespace ?? '';
  const name = pass.gateway.metadata?.name ?? '';
  pass.placements = pass.placements.map((p): Placement => {
    const key = memberKey(p.memberKind, p.member);
    const reachable = isReachable(deps.registry, key);
    if (reachable && p.state !== 'Lost' && deps.workloads.syncPending(key)) pass.cachesPending = true;
    if (!reachable || p.state === 'Lost' || !deps.workloads.hasSynced(key)) {
      pass.workloads.set(workloadKey(key, p.component), {
        observed: false,
        available: false,
        rolledOut: false,
        readyReplicas: p.readyReplicas ?? 0,
      });
      return p;
    }
    const d = deps.workloads.deployment(key, ns, componentObjectName(name, p.component));
    const o = observeDeployment(d);
    pass.workloads.set(workloadKey(key, p.component), { observed: true, ...o });
    return { ...p, readyReplicas: o.readyReplicas };
  });
}

// Release: a Draining placement is dropped once every placement that replaces
// it (same component, Active or FailoverTarget) is rolled out and ready —
// make-before-break. Its objects then leave the rendered set and prune
// removes them from the member.
import type { Placement } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { workloadKey, type GatewayPass, type WorkloadObservation } from './pass.js';

/** Pure: the placements left after releasing every Draining one whose replacements serve. */
export function releaseDrained(
  placements: readonly Placement[],
  workloads: ReadonlyMap<string, WorkloadObservation>,
): Placement[] {
  const ready = (c: Placement['component']) => {
    const serving = placements.filter(
      (p) => p.component === c && (p.state === 'Active' || p.state === 'FailoverTarget'),
    );
    return (
      serving.length > 0 &&
      serving.every((p) => {
        const w = workloads.get(workloadKey(memberKey(p.memberKind, p.member), p.component));
        return w?.observed === true && w.rolledOut;
      })
    );
  };
  return placements.filter((p) => p.state !== 'Draining' || !ready(p.component));
}

export async function releaseStep(pass: GatewayPass): Promise<void> {
  if (pass.deleting || pass.paused) return;
  pass.placements = releaseDrained(pass.placements, pass.workloads);
}

// Placement: asks the pure planner where each component should run, then
// turns placements it removed into Draining ones (make-before-break: their
// workloads go only once their replacements are ready; see prune.ts).
import type { Placement } from '../../api/index.js';
import { toRfc3339 } from '../../api/index.js';
import { placeGateway, placementChanged, resolveGatewaySpec, sortPlacements } from '../../placement/index.js';
import { componentWorkload } from '../../render/index.js';
import { memberViews } from './member-views.js';
import type { GatewayDeps, GatewayPass } from './pass.js';

export async function placeStep(pass: GatewayPass, deps: GatewayDeps): Promise<void> {
  const gw = pass.gateway;
  const current = gw.status?.placements ?? [];
  if (pass.deleting) {
    pass.placements = current;
    return;
  }
  const result = placeGateway(gw, memberViews(deps.hub, deps.registry, gw), toRfc3339(pass.now));
  const kept = new Set(result.placements.map((p) => `${p.memberKind}/${p.member}|${p.component}`));
  const draining: Placement[] = result.removed
    .filter((r) => r.placement.state !== 'Lost')
    .filter((r) => !kept.has(`${r.placement.memberKind}/${r.placement.member}|${r.placement.component}`))
    .map((r) => ({
      ...r.placement,
      state: 'Draining',
      reason: r.reason,
      message: `${r.message}; its workloads are removed once the replacement is ready`,
      since: toRfc3339(pass.now),
    }));
  // Replicas come from the spec, never back from status (status only reports them).
  const spec = resolveGatewaySpec(gw);
  const placements = sortPlacements([...result.placements, ...draining]).map((p) => ({
    ...p,
    replicas: componentWorkload(spec, p.component)?.replicas ?? p.replicas ?? 1,
  }));
  pass.placements = placements;
  pass.problems = [...result.problems];
  pass.epoch = (gw.status?.epoch ?? 0) + (placementChanged(current, placements) ? 1 : 0);
  for (const r of result.removed.filter((x) => x.placement.state === 'Lost')) {
    // A lost member's objects cannot be removed now: cleaned when it returns.
    pass.pendingCleanup.add(r.placement.member);
  }
}

// Plan: asks the pure failover planner where every component should run now
// — placement, failover, fencing, failback, drains — from the status, the
// members' health and the observed workloads. The controller only executes it.
import { toRfc3339 } from '../../api/index.js';
import { planGateway } from '../../failover/index.js';
import { resolveGatewaySpec } from '../../placement/index.js';
import { componentWorkload } from '../../render/index.js';
import { withReadiness } from './observe.js';
import { workloadSignals, type GatewayDeps, type GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

export async function planStep(pass: GatewayPass, _deps: GatewayDeps): Promise<StepResult> {
  const gw = pass.gateway;
  if (pass.deleting) {
    pass.placements = gw.status?.placements ?? [];
    return CONTINUE;
  }
  const plan = planGateway({
    gateway: gw,
    members: pass.members,
    workloads: workloadSignals(pass.workloads),
    now: toRfc3339(pass.now),
  });
  pass.plan = plan;
  pass.epoch = plan.epoch;
  pass.problems = [...plan.problems];
  // Replicas come from the spec, never back from status (status only reports them).
  const spec = resolveGatewaySpec(gw);
  pass.placements = plan.placements.map((p) => ({
    ...p,
    replicas: componentWorkload(spec, p.component)?.replicas ?? p.replicas ?? 1,
  }));
  pass.placements = withReadiness(pass);
  // The planner's next deadline (a detection window ending, a failback hold).
  return { next: 'continue', requeueWithinMs: plan.requeueAfterMs };
}

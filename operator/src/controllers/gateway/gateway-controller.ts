// The PaymentGateway controller: an ordered list of small sub-reconcilers,
// then one status summary and at most one status write per pass. Steps share
// the pass for data; each returns what happens next (step-result.ts): continue
// (perhaps requeueing sooner, or with readiness not to be judged yet), stop (the
// finalizer released the gateway) or requeue now (a move rewrote status).
import { API_VERSION, failoverWithDefaults, type PaymentGateway } from '../../api/index.js';
import type { ReconcileContext, ReconcileResult } from '../../runtime/controller.js';
import { applyStep } from './apply.js';
import { finalizerStep } from './finalizer.js';
import { observeStep } from './observe.js';
import { regardingGateway, type GatewayDeps, type GatewayPass, type SubReconciler } from './pass.js';
import { moveStep } from './move.js';
import { planStep } from './plan.js';
import { pruneStep, type PruneMemory } from './prune.js';
import { secretsStep } from './secrets.js';
import { afterSummary, foldSteps, type StepResult } from './step-result.js';
import { statusChanged, summarize } from './summarize.js';

/** Events and metrics of the planner's decision. */
function recordPlan(pass: GatewayPass, deps: GatewayDeps): void {
  const plan = pass.plan!;
  const gw = `${pass.gateway.metadata?.namespace}/${pass.gateway.metadata?.name}`;
  const regarding = regardingGateway(pass.gateway);
  for (const e of plan.events) {
    if (e.type === 'Warning') deps.events.warning(regarding, e.reason, 'Failover', e.message);
    else deps.events.normal(regarding, e.reason, 'Failover', e.message);
  }
  for (const f of plan.failovers)
    deps.metrics.failoversTotal.inc({ gateway: gw, from: f.from, to: f.to, reason: f.reason });
  for (const c of plan.failoversCompleted) deps.metrics.failoverDuration.observe({ gateway: gw }, c.seconds);
}

export type GatewayControllerDeps = GatewayDeps & { pruneMemory: PruneMemory; now?: () => Date };

/** How long a pass waits for the hub cache to show this controller's last status write. */
const OWN_WRITE_WAIT_MS = 5_000;
const OWN_WRITE_POLL_MS = 50;

/**
 * The epoch each gateway's last status write carried. The hub cache shows a write a few
 * milliseconds after it is made; a pass that started in between (a member event queued meanwhile)
 * would plan again from the previous placements, and write another decision under the same epoch,
 * or re-apply the older epoch to the members. So a pass whose cached status is older than our own
 * last write waits for the cache instead (bounded: someone else may have rewritten the status).
 */
class OwnWrites {
  private readonly last = new Map<string, { uid: string; epoch: number; at: number }>();
  record(key: string, uid: string | undefined, epoch: number | undefined, at: number): void {
    if (uid !== undefined && epoch !== undefined) this.last.set(key, { uid, epoch, at });
  }
  /** The cached gateway is older than what this controller last wrote (and not for long). */
  cacheBehind(key: string, gateway: PaymentGateway, nowMs: number): boolean {
    const w = this.last.get(key);
    if (w === undefined) return false;
    if (w.uid !== gateway.metadata?.uid || nowMs - w.at > OWN_WRITE_WAIT_MS) {
      this.last.delete(key);
      return false;
    }
    if ((gateway.status?.epoch ?? 0) >= w.epoch) {
      this.last.delete(key);
      return false;
    }
    return true;
  }
}

export function makeGatewayReconciler(deps: GatewayControllerDeps) {
  const now = deps.now ?? (() => new Date());
  const steps: [string, SubReconciler][] = [
    ['finalizer', finalizerStep],
    ['observe', observeStep],
    ['move', moveStep],
    ['plan', planStep],
    ['secrets', secretsStep],
    ['apply', applyStep],
    ['prune', (pass, d) => pruneStep(pass, { ...d, pruneMemory: deps.pruneMemory })],
  ];

  const ownWrites = new OwnWrites();
  return async (key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> => {
    const gateway = deps.hub.gateways.get(key);
    if (!gateway) return;
    if (ownWrites.cacheBehind(key, gateway, Date.now())) return { requeueAfter: OWN_WRITE_POLL_MS };
    const paused = failoverWithDefaults(gateway.spec.failover).paused && !gateway.metadata?.deletionTimestamp;
    const pass: GatewayPass = {
      key,
      gateway,
      now: now(),
      log: ctx.log,
      placements: gateway.status?.placements ?? [],
      epoch: gateway.status?.epoch ?? 0,
      problems: [],
      rendered: new Map(),
      secrets: new Map(),
      heldComponents: new Set(),
      held: new Set(),
      workloads: new Map(),
      members: [],
      memberProblems: new Map(),
      pendingCleanup: new Set(),
      deleting: false,
      paused,
    };
    const results: StepResult[] = [];
    for (const [name, step] of steps) {
      if (paused && name === 'plan') continue;
      const result = await step(pass, deps);
      results.push(result);
      if (result.next !== 'continue') break;
    }
    const outcome = foldSteps(results, pass.deleting);
    if (!outcome.summarise) return outcome.result;
    const status = summarize({
      gateway,
      placements: pass.placements,
      epoch: pass.epoch,
      problems: pass.problems,
      memberProblems: pass.memberProblems,
      pendingCleanup: pass.pendingCleanup,
      workloads: pass.workloads,
      deleting: pass.deleting,
      paused,
      members: pass.members,
      ...(pass.plan ? { failedOver: pass.plan.failedOver } : {}),
      now: pass.now,
    });
    if (statusChanged(gateway.status, status)) {
      await deps.hubClient.applyStatus({
        apiVersion: API_VERSION,
        kind: 'PaymentGateway',
        metadata: { name: gateway.metadata?.name, namespace: gateway.metadata?.namespace },
        status,
      });
      ownWrites.record(key, gateway.metadata?.uid, status.epoch, Date.now());
      if (status.epoch !== gateway.status?.epoch) {
        ctx.log.info({ epoch: status.epoch, serving: status.serving }, 'placements changed');
      }
    }
    // Only once the decision is recorded in status: a pass that failed to
    // write re-plans the same decision, and the recorder aggregates repeats.
    if (pass.plan) recordPlan(pass, deps);
    const inFlight = status.conditions?.some((c) => c.type === 'Progressing' && c.status === 'True');
    return afterSummary(outcome.requeueWithinMs, inFlight === true);
  };
}

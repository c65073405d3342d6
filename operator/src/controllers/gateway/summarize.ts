// Summarize: turns what the sub-reconcilers found into the gateway's status —
// conditions, placements, routes, epoch — as a pure function, so the one
// status write per pass happens only when the result differs.
import { canonicalJson } from '../../api/canonical-json.js';
import { servingRoutes } from '../../failover/index.js';
import type { MemberView } from '../../placement/index.js';
import {
  setCondition,
  type Condition,
  type PaymentGateway,
  type PaymentGatewayStatus,
  type Placement,
} from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { workloadKey, workloadSignals, type GatewayPass, type WorkloadObservation } from './pass.js';

export interface SummaryInput {
  gateway: PaymentGateway;
  placements: readonly Placement[];
  epoch: number;
  problems: GatewayPass['problems'];
  memberProblems: GatewayPass['memberProblems'];
  pendingCleanup: ReadonlySet<string>;
  workloads: ReadonlyMap<string, WorkloadObservation>;
  deleting: boolean;
  paused: boolean;
  /** The planner's view of every member (health, endpoint). */
  members: readonly MemberView[];
  /** The FailedOver condition, as the failover planner judged it. */
  failedOver?: { status: boolean; reason: string; message: string };
  now: Date;
}

function notRolledOut(input: SummaryInput): Placement[] {
  return input.placements.filter((p) => {
    if (p.state === 'Lost' || p.state === 'Draining') return false;
    const w = input.workloads.get(workloadKey(memberKey(p.memberKind, p.member), p.component));
    return !(w?.observed && w.rolledOut);
  });
}

export function summarize(input: SummaryInput): PaymentGatewayStatus {
  const gw = input.gateway;
  const generation = gw.metadata?.generation ?? 0;
  const routes = servingRoutes(input.placements, input.members, workloadSignals(input.workloads));
  const pending = notRolledOut(input);
  const lost = input.placements.filter((p) => p.state === 'Lost');
  const draining = input.placements.filter((p) => p.state === 'Draining');
  const errors = input.problems.filter((p) => p.severity === 'Error');
  const memberProblems = [...input.memberProblems.values()];
  const cleanup = [...input.pendingCleanup].sort();

  const set = (
    conds: Condition[],
    type: string,
    status: Condition['status'],
    reason: string,
    message: string,
  ) => setCondition(conds, { type, status, reason, message, observedGeneration: generation }, input.now);

  let conditions: Condition[] = [...(gw.status?.conditions ?? [])];
  // Ready: every placement rolled out, nothing failing, at least one route.
  if (input.deleting) {
    conditions = set(
      conditions,
      'Ready',
      'False',
      cleanup.length ? 'CleanupPending' : 'Deleting',
      cleanup.length
        ? `waiting to remove this gateway's workloads from ${cleanup.join(', ')} (unreachable); they are removed as soon as the member is reachable again`
        : 'removing workloads from every member',
    );
  } else if (errors.length > 0) {
    conditions = set(
      conditions,
      'Ready',
      'False',
      errors[0]!.reason,
      errors.map((e) => e.message).join('; '),
    );
  } else if (memberProblems.length > 0) {
    conditions = set(
      conditions,
      'Ready',
      'False',
      memberProblems[0]!.reason,
      memberProblems.map((m) => m.message).join('; '),
    );
  } else if (pending.length > 0) {
    conditions = set(
      conditions,
      'Ready',
      'False',
      'RollingOut',
      `waiting for ${pending.map((p) => `${p.component} on ${p.member}`).join(', ')} to be rolled out and ready`,
    );
  } else if (routes.length === 0) {
    conditions = set(conditions, 'Ready', 'False', 'NoServingSites', 'no authorization endpoint is serving');
  } else {
    conditions = set(
      conditions,
      'Ready',
      'True',
      'Ready',
      `authorization serving from ${routes.map((r) => r.member).join(', ')}; every component rolled out`,
    );
  }
  // Progressing: something is moving towards the desired state.
  if (input.paused) {
    conditions = set(
      conditions,
      'Progressing',
      'False',
      'Paused',
      'spec.failover.paused is true: placements are held as they are',
    );
  } else if (pending.length > 0 || draining.length > 0 || input.deleting) {
    const parts = [
      ...pending.map((p) => `rolling out ${p.component} on ${p.member}`),
      ...draining.map((p) => `draining ${p.component} from ${p.member}`),
    ];
    conditions = set(
      conditions,
      'Progressing',
      'True',
      draining.length ? 'Draining' : 'RollingOut',
      parts.join(', ') || 'deleting',
    );
  } else {
    conditions = set(
      conditions,
      'Progressing',
      'False',
      'Converged',
      'every placement is applied and rolled out',
    );
  }
  // Degraded: not everything is as asked, even if it may be serving.
  if (errors.length > 0 || lost.length > 0 || memberProblems.length > 0) {
    const msgs = [
      ...errors.map((e) => e.message),
      ...lost.map(
        (p) => `${p.component} on ${p.member} is lost: ${p.message ?? p.reason ?? 'member unreachable'}`,
      ),
      ...memberProblems.map((m) => m.message),
    ];
    const reason = errors[0]?.reason ?? (lost.length ? 'PlacementLost' : memberProblems[0]!.reason);
    conditions = set(conditions, 'Degraded', 'True', reason, msgs.join('; '));
  } else {
    conditions = set(conditions, 'Degraded', 'False', 'AsPlanned', 'every component is placed as asked');
  }
  // FailedOver: as the failover planner judged it (absent while paused or deleting: kept as it was).
  if (input.failedOver) {
    const fo = input.failedOver;
    conditions = set(conditions, 'FailedOver', fo.status ? 'True' : 'False', fo.reason, fo.message);
  } else if (!conditions.some((c) => c.type === 'FailedOver')) {
    conditions = set(
      conditions,
      'FailedOver',
      'False',
      'NoFailover',
      'every authorization placement is on its chosen site',
    );
  }

  const status: PaymentGatewayStatus = {
    observedGeneration: generation,
    conditions: ['Ready', 'Progressing', 'Degraded', 'FailedOver'].flatMap((t) =>
      conditions.filter((c) => c.type === t),
    ),
    epoch: input.epoch,
    placements: [...input.placements],
    routes,
    serving: routes.map((r) => r.member).join(','),
  };
  if (cleanup.length) status.pendingCleanup = cleanup;
  return status;
}

export function statusChanged(old: PaymentGatewayStatus | undefined, next: PaymentGatewayStatus): boolean {
  return canonicalJson(old ?? {}) !== canonicalJson(next);
}

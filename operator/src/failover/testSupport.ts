// Builders for failover planner tests: times relative to T0, workload signals by state, and a tiny
// controller loop that feeds a plan back as status.
import type { PaymentGateway, Placement } from '../api/index.js';
import { withStatus } from '../placement/testSupport.js';
import type { MemberView } from '../placement/index.js';
import { planGateway } from './planGateway.js';
import { formatTime } from './time.js';
import type { GatewayPlan, WorkloadSignal } from './types.js';

export { cloud, edge, gateway, placement, withStatus } from '../placement/testSupport.js';

export const T0 = Date.parse('2025-06-01T12:00:00Z');

/** RFC 3339 time `seconds` after T0. */
export function at(seconds: number): string {
  return formatTime(T0 + seconds * 1000);
}

/** up: available; down: present, not available; gone: deleted; unobserved: no fresh data. */
export type WorkloadState = 'up' | 'down' | 'gone' | 'unobserved';

export function signals(
  states: Readonly<Record<string, WorkloadState>>,
  component: Placement['component'] = 'authorization',
): WorkloadSignal[] {
  return Object.entries(states).map(([member, state]) => ({
    member,
    component,
    observed: state !== 'unobserved',
    available: state === 'up',
    present: state !== 'gone',
  }));
}

/** The gateway with the plan written to its status. */
export function applyPlan(
  gw: PaymentGateway,
  plan: Pick<GatewayPlan, 'placements' | 'epoch'>,
): PaymentGateway {
  return withStatus(gw, plan.placements, plan.epoch);
}

/** `member:State` (or `member:State>replaced`) of the authorization placements, in canonical order. */
export function authView(placements: readonly Placement[]): string[] {
  return placements
    .filter((p) => p.component === 'authorization')
    .map((p) => `${p.member}:${p.state}${p.replacedMember ? `>${p.replacedMember}` : ''}`);
}

/** Runs one pass and returns the plan and the gateway as the controller would write it. */
export function pass(
  gw: PaymentGateway,
  members: readonly MemberView[],
  states: Readonly<Record<string, WorkloadState>>,
  seconds: number,
): { plan: GatewayPlan; gateway: PaymentGateway } {
  const plan = planGateway({ gateway: gw, members, workloads: signals(states), now: at(seconds) });
  return { plan, gateway: applyPlan(gw, plan) };
}

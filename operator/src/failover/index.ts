// Failover and failback planning: pure functions of (gateway, members, workload signals, clock).
// See planGateway.ts for the pass and slots.ts for the transitions.
export * from './types.js';
export { ROLLOUT_GRACE_SECONDS } from './time.js';
export { isAvailable, isGone } from './signals.js';
export { assessAvailability, isRollingOut, type AvailabilityVerdict } from './detection.js';
export { groupBySlot, slotRoles, slotRoot, type SlotGroup, type SlotRoles } from './groups.js';
export { planGateway, type PlanGatewayInput } from './planGateway.js';
export { planMove, type MoveErrorReason, type MoveRequest, type MoveResult } from './planMove.js';
export { assumedSignals, dryRunSiteFailure, type DrillResult, type SiteRef } from './dryRun.js';
export { servingRoutes } from './routes.js';

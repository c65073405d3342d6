// The failover planner: the one placement decision the gateway controller makes per pass. Pure: a
// function of the gateway (spec, status.placements, status.epoch), the members, the workload
// signals and the time, with no I/O; applied to its own result with the same inputs it changes
// nothing, so an operator killed at any step finishes the job on restart from what status says.
//
//   1. observe     each authorization placement on its own: member gone → dropped; Draining whose
//                  workload is gone → dropped; serving on an Unreachable member, or unavailable for the
//                  detection window → Lost (observe.ts, detection.ts);
//   2. slots       recovery, failover, failback, make-before-break drains, fencing, promotion
//                  (slots.ts);
//   3. placeGateway, shown one placement per slot (everything else as Draining, which it carries
//                  untouched): it places the ledger and analytics, fills slots that are empty (new
//                  gateway, more sites), picks what to drop when sites were lowered, and reports
//                  placement problems;
//   4. merge       its fills (no more than the empty slots), its scale-downs (drained only while
//                  something else serves), the other components;
//   5. reinstate   never zero serving endpoints while a workload could serve (reinstate.ts);
//   6. ledger      a standby promoted when the primary's cloud cluster is lost (ledger.ts);
//   7. epoch, Events, metrics, the FailedOver condition and when to look again.
//
// spec.failover.paused: placeGateway's frozen result (nothing changes, what would is reported).
import { canonicalJson } from '../api/canonical-json.js';
import type { PaymentGateway, Placement } from '../api/index.js';
import {
  COMPONENTS,
  existingPlacements,
  memberKey,
  placeGateway,
  placementChanged,
  sortPlacements,
  type MemberView,
  type PlacementProblem,
} from '../placement/index.js';
import { planContext } from './context.js';
import { failedOverStatus } from './failedOver.js';
import { groupBySlot, slotRoles, type SlotGroup } from './groups.js';
import { failoverLedger } from './ledger.js';
import { observePlacements } from './observe.js';
import { reinstate } from './reinstate.js';
import { resolveSlots } from './slots.js';
import type { GatewayPlan, WorkloadSignal } from './types.js';
import { changePlacement, isServer, newWork, type Work } from './work.js';

export interface PlanGatewayInput {
  readonly gateway: PaymentGateway;
  readonly members: readonly MemberView[];
  /** One per placement in status; see WorkloadSignal. */
  readonly workloads: readonly WorkloadSignal[];
  /** RFC 3339. */
  readonly now: string;
}

const keyOf = (p: Pick<Placement, 'memberKind' | 'member'>): string => memberKey(p.memberKind, p.member);

/**
 * A placement of another component whose state did not change keeps the reason and message it had
 * (placeGateway re-explains kept placements as Retained, PrimaryConfigured, …): the plan stays a
 * fixed point, and the reason keeps saying why it got into its state.
 */
function keepExplanation(p: Placement, previous: readonly Placement[] | undefined): Placement {
  const was = previous?.find(
    (q) => q.component === p.component && q.member === p.member && q.memberKind === p.memberKind,
  );
  if (was === undefined || was.state !== p.state || was.replacedMember !== p.replacedMember) return p;
  // A Lost ledger's reason says what it waits for now (unreachable, recovering, fenced behind a
  // promoted standby): placeLedger derives it from the member alone, so it is stable as it is.
  if (p.component === 'ledger' && p.state === 'Lost') return p;
  return {
    ...p,
    ...(was.reason === undefined ? {} : { reason: was.reason }),
    ...(was.message === undefined ? {} : { message: was.message }),
  };
}

/** At most this many rounds per pass (each round is one step of every transition; see planGateway). */
const MAX_ROUNDS = 8;

/**
 * Plans until nothing changes any more: one round applies one step of each transition, and a step may
 * enable another with the same inputs (a site reinstated because nothing else serves lets its
 * FailoverTarget drain). The result is a fixed point, so an operator restarted after writing it
 * finds nothing more to do; its epoch grows by one at most, and its Events and metrics are those of
 * every round (each transition happens in one round only).
 */
export function planGateway(input: PlanGatewayInput): GatewayPlan {
  const rounds: GatewayPlan[] = [];
  let gateway = input.gateway;
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const plan = planRound({ ...input, gateway });
    rounds.push(plan);
    if (canonicalJson(plan.placements) === canonicalJson(sortPlacements(gateway.status?.placements ?? [])))
      break;
    gateway = { ...gateway, status: { ...gateway.status, placements: plan.placements, epoch: plan.epoch } };
  }
  const last = rounds[rounds.length - 1] as GatewayPlan;
  const changed = placementChanged(input.gateway.status?.placements, last.placements);
  return {
    ...last,
    epoch: (input.gateway.status?.epoch ?? 0) + (changed ? 1 : 0),
    changed,
    removed: rounds.flatMap((r) => r.removed),
    events: rounds.flatMap((r) => r.events),
    failovers: rounds.flatMap((r) => r.failovers),
    failoversCompleted: rounds.flatMap((r) => r.failoversCompleted),
  };
}

/** One round: every transition, one step each. */
function planRound(input: PlanGatewayInput): GatewayPlan {
  const ctx = planContext(input.gateway, input.members, input.workloads, input.now);
  const gateway = input.gateway;
  const status = gateway.status ?? {};
  const previousEpoch = status.epoch ?? 0;

  if (ctx.spec.failover.paused) {
    const frozen = placeGateway(gateway, ctx.members, ctx.now);
    return {
      placements: frozen.placements,
      epoch: frozen.epoch,
      changed: false,
      removed: [],
      problems: frozen.problems,
      events: [],
      failovers: [],
      failoversCompleted: [],
      failedOver: failedOverStatus(frozen.placements, ctx),
    };
  }

  // 1 and 2
  const observed = observePlacements(existingPlacements(status.placements, 'authorization'), ctx);
  const slots = resolveSlots(observed.works, ctx);
  const works = [...slots.works];

  // 3. placeGateway sees one placement per slot.
  const presented: Placement[] = [];
  const slotOfRepresentative = new Map<string, SlotGroup<Work>>();
  for (const group of groupBySlot(works, (w) => w.next)) {
    const live = group.items.filter((w) => w.next.state !== 'Draining');
    const lost = live
      .filter((w) => w.next.state === 'Lost')
      .sort((a, b) => Number(a.next.member !== group.root) - Number(b.next.member !== group.root));
    const representative =
      live.length === 0
        ? undefined
        : (slotRoles(
            group,
            (w) => w.next,
            (w) => w.leaving !== undefined,
          ).primary ??
          lost[0] ??
          live[0]);
    if (representative) slotOfRepresentative.set(keyOf(representative.next), group);
    for (const w of group.items)
      presented.push(w === representative ? w.next : { ...w.next, state: 'Draining' });
  }
  const others = (status.placements ?? []).filter((p) => p.component !== 'authorization');
  const base = placeGateway(
    { ...gateway, status: { ...status, placements: [...others, ...presented] } },
    ctx.members,
    ctx.now,
  );

  // 4. fills, at most one per empty slot
  const held = new Set(works.map((w) => keyOf(w.next)));
  const empty = Math.max(0, ctx.spec.authorization.sites - slotOfRepresentative.size);
  const fills = base.placements
    .filter((p) => p.component === 'authorization' && !held.has(keyOf(p)))
    .slice(0, empty);
  for (const p of fills) {
    const member = ctx.memberOf(p.memberKind, p.member);
    if (member) works.push(newWork(member, { ...p, unavailableSince: p.since ?? ctx.now }));
  }
  // … and scale-downs (spec.authorization.sites lowered), drained only while something else serves.
  const scaled = base.removed.filter(
    (r) => r.placement.component === 'authorization' && r.reason === 'ScaledDown',
  );
  const scaledWorks = new Map<Work, string>();
  for (const r of scaled) {
    for (const w of slotOfRepresentative.get(keyOf(r.placement))?.items ?? []) scaledWorks.set(w, r.message);
  }
  if (works.some((w) => !scaledWorks.has(w) && isServer(w.next) && w.available)) {
    for (const [w, message] of scaledWorks) {
      if (isServer(w.next))
        w.next = changePlacement(w.next, { state: 'Draining', reason: 'ScaledDown', message }, ctx.now);
    }
  }

  // 5
  const reinstated = reinstate(works, ctx);

  // 6
  const kept = base.placements
    .filter((p) => p.component !== 'authorization')
    .map((p) => keepExplanation(p, status.placements));
  const ledger = failoverLedger(
    kept.filter((p) => p.component === 'ledger'),
    ctx,
  );

  // 7
  const placements = sortPlacements([
    ...kept.filter((p) => p.component !== 'ledger'),
    ...ledger.placements,
    ...works.map((w) => w.next),
  ]);
  const changed = placementChanged(status.placements, placements);
  const problems: PlacementProblem[] = COMPONENTS.flatMap((component) => [
    ...base.problems.filter(
      (p) => p.component === component && !(component === 'authorization' && p.reason === 'PlacementLost'),
    ),
    ...slots.problems.filter((p) => p.component === component),
    ...ledger.problems.filter((p) => p.component === component),
  ]);
  const due = [...observed.deadlines, ...slots.deadlines].filter((t) => t > ctx.nowMs);
  return {
    placements,
    epoch: previousEpoch + (changed ? 1 : 0),
    changed,
    removed: [...observed.removed, ...base.removed.filter((r) => r.placement.component !== 'authorization')],
    problems,
    events: [...slots.events, ...reinstated, ...ledger.events],
    failovers: [...slots.failovers, ...ledger.failovers],
    failoversCompleted: slots.completions,
    failedOver: failedOverStatus(placements, ctx),
    ...(due.length > 0 ? { requeueAfterMs: Math.min(...due) - ctx.nowMs } : {}),
  };
}

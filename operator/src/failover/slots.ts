// Second step of a pass: the transitions of each slot (see groups.ts), in this order:
//
//   1. recovery   no placement holds the slot and a Lost one is back (Healthy, Ready, and its workload
//                 available or the member was the problem): it takes its role back (Active or
//                 FailoverTarget), fenced by the new epoch;
//   2. failover   still nothing holds it: a FailoverTarget is chosen along spec.failover.fallback
//                 (Automatic mode, or whenever the site is left deliberately: cordoned, no longer
//                 selected); otherwise a problem says what to do;
//   3. failback   the slot is held by a FailoverTarget, the home member has been Healthy for
//                 failbackStabilizationSeconds and holds nothing: an Active placement goes back to it
//                 (Automatic mode), the FailoverTarget serving on;
//   4. drain      every other serving placement of the slot drains once the primary serves
//                 (make-before-break);
//   5. fencing    a Lost placement whose member is reachable again is fenced (it stays out of the
//                 routes, its ConfigMap gets the new epoch) and drains once the primary serves;
//   6. promotion  a FailoverTarget alone in its slot whose home can never take it back (deleted, no
//                 longer selected) becomes Active;
//   7. reasons    a FailoverTarget that becomes available is FailoverServing (FailoverCompleted,
//                 recorded once); a finished move drops its link.
//
// Each step sees the previous ones' result, so that the plan is a fixed point: planning again from
// it, with the same inputs, changes nothing.
import {
  assessEligibility,
  describeMember,
  listText,
  memberKey,
  rankMembers,
  type MemberView,
  type PlacementProblem,
} from '../placement/index.js';
import type { PlanContext } from './context.js';
import { groupBySlot, slotRoles, type SlotGroup } from './groups.js';
import { LEAVING_REASONS } from './observe.js';
import { chooseFailoverTarget, describeChoice, explainNoTarget } from './targets.js';
import { parseTime } from './time.js';
import type { FailoverCause, FailoverCompletion, FailoverRecord, PlanEvent } from './types.js';
import { changePlacement, isServer, newPlacement, newWork, type Work } from './work.js';

export interface SlotsOutcome {
  /** The placements as decided, including the ones created in this pass. */
  readonly works: Work[];
  readonly problems: PlacementProblem[];
  readonly events: PlanEvent[];
  readonly failovers: FailoverRecord[];
  readonly completions: FailoverCompletion[];
  /** Times (ms) when a stabilization window ends. */
  readonly deadlines: number[];
}

/** FailoverTarget reasons before the target first serves. */
export const PENDING_TARGET_REASONS: ReadonlySet<string> = new Set(['FailoverPending', 'ManualMove']);
const FAILURES: ReadonlySet<FailoverCause> = new Set([
  'SiteUnreachable',
  'WorkloadUnavailable',
  'PlacementLost',
]);

interface Cause {
  readonly work: Work;
  readonly reason: FailoverCause;
  readonly message: string;
  /** It happened in this pass (Events are recorded once, on the transition). */
  readonly fresh: boolean;
}

function causeOf(items: readonly Work[]): Cause | undefined {
  const now = items.find((w) => w.cause !== undefined);
  if (now?.cause) return { work: now, reason: now.cause.reason, message: now.cause.message, fresh: true };
  const leaving = items.find((w) => w.leaving !== undefined && w.next.state !== 'Draining');
  if (leaving?.leaving) {
    return {
      work: leaving,
      reason: leaving.leaving.reason,
      message: leaving.leaving.message,
      // An Active placement carries the leaving reason from the first pass on: that is the transition.
      fresh: leaving.next.state === 'Active' && leaving.previous?.reason !== leaving.leaving.reason,
    };
  }
  const lost = items.find((w) => w.next.state === 'Lost');
  if (lost) {
    const reason: FailoverCause =
      lost.next.reason === 'WorkloadUnavailable'
        ? 'WorkloadUnavailable'
        : lost.reachable
          ? 'PlacementLost'
          : 'SiteUnreachable';
    return {
      work: lost,
      reason,
      message: `${describeMember(lost.member)} is Lost (${lost.next.reason ?? 'Lost'})`,
      fresh: false,
    };
  }
  return undefined;
}

/**
 * FailoverTargets that stand in for each other in a cycle (edge-a for edge-b while edge-b stands in
 * for edge-a) would block each other's failback forever: each serves its own slot again instead
 * (the same members serve, so nothing breaks).
 */
function rehome(works: readonly Work[], ctx: PlanContext): Work[] {
  const targetOn = new Map<string, Work>();
  for (const w of works) if (w.next.state === 'FailoverTarget') targetOn.set(w.next.member, w);
  const cycle = new Set<Work>();
  for (const start of targetOn.values()) {
    const path: Work[] = [];
    let w: Work | undefined = start;
    while (w !== undefined && !path.includes(w)) {
      path.push(w);
      w = targetOn.get(w.next.replacedMember ?? '');
    }
    if (w === start) for (const x of path) cycle.add(x);
  }
  for (const w of cycle) {
    w.next = changePlacement(
      w.next,
      {
        state: 'Active',
        reason: 'Rehomed',
        message: `${w.member.name} stood in for ${w.next.replacedMember ?? ''}, which stood in for it: it serves its own slot again`,
        replacedMember: null,
      },
      ctx.now,
    );
  }
  return [...cycle].sort((a, b) =>
    a.member.name < b.member.name ? -1 : a.member.name > b.member.name ? 1 : 0,
  );
}

function homeFirst(root: string) {
  return (a: Work, b: Work): number =>
    Number(a.next.member !== root) - Number(b.next.member !== root) ||
    (a.next.member < b.next.member ? -1 : a.next.member > b.next.member ? 1 : 0);
}

export function resolveSlots(observed: readonly Work[], ctx: PlanContext): SlotsOutcome {
  const works = [...observed];
  const problems: PlacementProblem[] = [];
  const events: PlanEvent[] = [];
  const failovers: FailoverRecord[] = [];
  const completions: FailoverCompletion[] = [];
  const deadlines: number[] = [];
  const occupied = new Set(works.map((w) => memberKey(w.member.kind, w.member.name)));
  const { spec, now } = ctx;
  const { mode, failbackStabilizationSeconds: stabilization } = spec.failover;
  const replicas = spec.authorization.replicas;
  const gw = `${spec.namespace}/${spec.name}`;
  const event = (type: PlanEvent['type'], reason: PlanEvent['reason'], message: string, member?: string) =>
    events.push({ type, reason, message, ...(member === undefined ? {} : { member }) });

  const resolveGroup = (group: SlotGroup<Work>): void => {
    const { root, items } = group;
    if (items.every((w) => w.next.state === 'Draining')) return;
    const rootMember = ctx.memberNamed(root);
    const rootKeep = rootMember
      ? assessEligibility(rootMember, ctx.keepRequirements, { ignoreHealth: true })
      : undefined;
    const rootGone =
      rootKeep === undefined ||
      (!rootKeep.eligible && (rootKeep.reason === 'WrongKind' || rootKeep.reason === 'NotSelected'));
    const roles = slotRoles(
      group,
      (w) => w.next,
      (w) => w.leaving !== undefined,
    );
    let primary = roles.primary;
    const members = new Set(items);
    const spreadWith = (): MemberView[] =>
      works.filter((w) => !members.has(w) && isServer(w.next)).map((w) => w.member);
    const cause = causeOf(items);
    let consequence = '';

    // 1. recovery
    if (primary === undefined) {
      const back = items
        .filter(
          (w) =>
            w.next.state === 'Lost' &&
            w.reachable &&
            w.member.health === 'Healthy' &&
            w.member.ready &&
            w.leaving === undefined &&
            (w.available || w.next.reason === 'MemberUnreachable' || w.next.reason === 'MemberRecovering'),
        )
        .sort(homeFirst(root))[0];
      if (back) {
        const standIn =
          back.next.replacedMember !== undefined && back.next.replacedMember !== back.next.member;
        back.next = changePlacement(
          back.next,
          {
            state: standIn ? 'FailoverTarget' : 'Active',
            reason: 'Recovered',
            message:
              `${back.member.name} is Healthy and Ready again and no other site took over, so it serves again` +
              (standIn ? ` in place of ${root}` : '') +
              ' (the new epoch fences out what it did while it was lost)',
            unavailableSince: back.available ? null : now,
            replicas,
          },
          now,
        );
        primary = back;
        event(
          'Normal',
          'PlacementRecovered',
          `authorization on ${describeMember(back.member)} serves again`,
          back.member.name,
        );
      }
    }

    // The home member may take its slot back: it exists, is still wanted there, free and eligible.
    const rootFree =
      rootMember !== undefined &&
      !rootGone &&
      ctx.selectorValid &&
      !occupied.has(memberKey(rootMember.kind, rootMember.name)) &&
      assessEligibility(rootMember, ctx.requirements).eligible;
    const returnHome = (home: MemberView, message: string, eventMessage: string): Work => {
      const w = newWork(
        home,
        newPlacement(home, { state: 'Active', reason: 'Failback', message, replicas }, now),
      );
      works.push(w);
      members.add(w);
      occupied.add(memberKey(home.kind, home.name));
      event('Normal', 'FailbackStarted', eventMessage, home.name);
      return w;
    };

    // 2. failover
    if (primary === undefined && cause !== undefined) {
      const deliberate =
        rootMember === undefined ||
        (rootKeep !== undefined && !rootKeep.eligible) ||
        items.some((w) => w.leaving);
      const failed = cause.work.member;
      if (mode === 'Automatic' || deliberate) {
        const awaitingFailback = new Set(
          works
            .filter((w) => w.next.state === 'FailoverTarget' && w.next.replacedMember)
            .map((w) => w.next.replacedMember ?? ''),
        );
        // A FailoverTarget never goes on the home member itself: going back there is a failback.
        const notHome = new Set(occupied);
        if (rootMember) notHome.add(memberKey(rootMember.kind, rootMember.name));
        const request = {
          reference: rootMember ?? failed,
          occupied: notHome,
          spreadWith: spreadWith(),
          awaitingFailback,
        };
        const choice = chooseFailoverTarget(ctx, request);
        const homeStableAt =
          (parseTime(rootMember?.healthSince) ?? Number.NEGATIVE_INFINITY) + stabilization * 1000;
        if (
          rootFree &&
          rootMember &&
          mode === 'Automatic' &&
          (choice === undefined || ctx.nowMs >= homeStableAt)
        ) {
          // Nothing holds the slot and its home can take it (a stand-in failed after the home was drained).
          primary = returnHome(
            rootMember,
            `nothing else holds this slot (${cause.message}) and ${root} is Healthy and eligible: authorization returns to it`,
            `${cause.message}: authorization of ${gw} returns to ${root}`,
          );
          consequence = `; authorization returns to ${root}`;
        } else if (choice) {
          const target = newWork(
            choice.member,
            newPlacement(
              choice.member,
              {
                state: 'FailoverTarget',
                reason: 'FailoverPending',
                message: `stands in for ${root} (${cause.message}); chosen along spec.failover.fallback: ${describeChoice(choice)}`,
                replicas,
                replacedMember: root,
              },
              now,
            ),
          );
          works.push(target);
          members.add(target);
          occupied.add(memberKey(choice.member.kind, choice.member.name));
          primary = target;
          failovers.push({ from: failed.name, to: choice.member.name, reason: cause.reason });
          event(
            FAILURES.has(cause.reason) ? 'Warning' : 'Normal',
            'FailoverStarted',
            `${cause.message}: authorization of ${gw} fails over to ${describeMember(choice.member)} (${choice.tier}), standing in for ${root}`,
            choice.member.name,
          );
          consequence = `; ${choice.member.name} takes over`;
        } else {
          const servingStill = items.some((w) => isServer(w.next));
          const why = explainNoTarget(ctx, request);
          problems.push({
            component: 'authorization',
            severity: 'Error',
            reason: 'NoFailoverTarget',
            message: servingStill
              ? `${cause.message}, but authorization stays on ${failed.name} for now: no failover target: ${why}`
              : `authorization on ${failed.name} has no failover target (${cause.message}): ${why}`,
          });
          if (cause.fresh) {
            event(
              'Warning',
              'NoFailoverTarget',
              `authorization on ${failed.name} cannot fail over: ${why}`,
              failed.name,
            );
          }
          consequence = '; no failover target (see the NoFailoverTarget problem)';
        }
      } else {
        const candidates = rankMembers(
          ctx.members.filter(
            (m) =>
              !occupied.has(memberKey(m.kind, m.name)) && assessEligibility(m, ctx.requirements).eligible,
          ),
          {
            fallback: spec.failover.fallback,
            referenceRegion: (rootMember ?? failed).region,
          },
        ).map((r) => r.member.name);
        problems.push({
          component: 'authorization',
          severity: 'Error',
          reason: 'ManualFailoverRequired',
          message:
            `authorization on ${failed.name} is Lost (${cause.message}); spec.failover.mode is Manual, so nothing ` +
            `moves automatically: run kubectl paygrid move ${gw} --from ${failed.name} --to <site> ` +
            `(eligible now: ${listText(candidates)}) or set spec.failover.mode to Automatic`,
        });
        consequence = '; spec.failover.mode is Manual: nothing moves automatically';
      }
    }
    for (const w of items) {
      if (w.cause === undefined) continue;
      const reason = w.cause.reason === 'WorkloadUnavailable' ? 'WorkloadUnavailable' : 'SiteUnreachable';
      const keeps =
        primary && primary !== w && consequence === '' ? `; ${primary.member.name} keeps serving` : '';
      event(
        'Warning',
        reason,
        `authorization of ${gw}: ${w.cause.message}${consequence || keeps}`,
        w.member.name,
      );
    }

    // 3. failback
    if (
      mode === 'Automatic' &&
      primary !== undefined &&
      primary.next.state === 'FailoverTarget' &&
      rootFree &&
      rootMember
    ) {
      const from = Math.max(
        parseTime(rootMember.healthSince) ?? Number.NEGATIVE_INFINITY,
        parseTime(primary.next.since) ?? Number.NEGATIVE_INFINITY,
      );
      const due = (Number.isFinite(from) ? from : ctx.nowMs) + stabilization * 1000;
      if (ctx.nowMs >= due) {
        primary = returnHome(
          rootMember,
          `${root} has been Healthy for at least ${stabilization}s: authorization returns to it; ` +
            `${primary.member.name} (FailoverTarget) serves on and drains once it serves`,
          `${root} has been Healthy for ${stabilization}s: authorization of ${gw} moves back from ${primary.member.name}`,
        );
      } else {
        deadlines.push(due);
      }
    }

    // 4. drain what the primary replaces, once it serves
    const moving =
      primary !== undefined && (primary === roles.moveTarget || primary.next.reason === 'ManualMove');
    for (const s of [...members].filter((w) => isServer(w.next) && w !== primary)) {
      if (primary?.available) {
        const by = primary.member.name;
        let reason: string;
        let message: string;
        if (s.leaving) {
          reason = s.leaving.reason;
          message = `${s.leaving.message}; drained, as ${by} serves in its place`;
        } else if (moving) {
          reason = 'MovedAway';
          message = `moved by an SRE: ${by} serves in its place`;
        } else if (primary === roles.home || primary.next.member === root) {
          reason = 'FailedBack';
          message = `${root} serves again; this FailoverTarget drains`;
          event(
            'Normal',
            'FailbackCompleted',
            `${root} serves authorization of ${gw} again; ${s.member.name} drains`,
            root,
          );
        } else {
          reason = 'Superseded';
          message = `${by} holds this slot now`;
        }
        s.next = changePlacement(s.next, { state: 'Draining', reason, message }, now);
      } else if (s.leaving) {
        const until = primary
          ? `keeps serving until ${primary.member.name} is available, then drains`
          : 'keeps serving until another site can take over';
        s.next = changePlacement(
          s.next,
          s.next.state === 'Active'
            ? { reason: s.leaving.reason, message: `${s.leaving.message}; ${until}` }
            : { message: `stands in for ${root}; ${s.leaving.message}; ${until}` },
          now,
        );
      }
    }

    // 5. fencing
    for (const w of [...members].filter((x) => x.next.state === 'Lost')) {
      const wasFenced = w.previous?.state === 'Lost' && w.previous.reason === 'Fenced';
      if (!w.reachable) {
        if (w.next.reason === 'Fenced' || w.next.reason === 'MemberRecovering') {
          w.next = changePlacement(
            w.next,
            {
              reason: 'MemberUnreachable',
              message: `${describeMember(w.member)} is Unreachable${w.member.healthSince ? ` since ${w.member.healthSince}` : ''} again; its workloads are left alone`,
            },
            now,
          );
        }
        continue;
      }
      if (primary !== undefined) {
        const by = primary.member.name;
        // Lost for the member's sake (not its workload's): it is returning, and fenced now.
        const returning = w.next.reason !== 'WorkloadUnavailable';
        if (!returning && !primary.available) continue;
        w.next = primary.available
          ? changePlacement(
              w.next,
              {
                state: 'Draining',
                reason: 'Replaced',
                message: `${w.member.name} is reachable again: fenced by the new epoch and drained, as ${by} serves in its place`,
              },
              now,
            )
          : changePlacement(
              w.next,
              {
                reason: 'Fenced',
                message: `${w.member.name} is reachable again and fenced by the new epoch (out of the routes); drained once ${by} serves`,
              },
              now,
            );
        if (!wasFenced && returning) {
          event(
            'Normal',
            'PlacementFenced',
            `authorization on ${describeMember(w.member)} is reachable again and fenced by the new epoch; ` +
              (primary.available ? `drained, as ${by} serves` : `drained once ${by} serves`),
            w.member.name,
          );
        }
        continue;
      }
      if (w.next.reason !== 'WorkloadUnavailable') {
        const what = w.leaving
          ? w.leaving.message
          : `${w.member.name} is ${w.member.health}${w.member.ready ? '' : ', not Ready'}`;
        w.next = changePlacement(
          w.next,
          {
            reason: 'MemberRecovering',
            message: `${what}; the placement stays Lost until it is Healthy and Ready`,
          },
          now,
        );
      }
    }

    // 6. promotion
    const live = [...members].filter((w) => w.next.state !== 'Draining');
    if (primary !== undefined && primary.next.state === 'FailoverTarget' && rootGone && live.length === 1) {
      const why =
        rootMember === undefined
          ? `${root} no longer exists`
          : rootKeep && !rootKeep.eligible
            ? rootKeep.message
            : '';
      primary.next = changePlacement(
        primary.next,
        {
          state: 'Active',
          reason: 'Promoted',
          message: `${why}, so ${primary.member.name} holds this slot for good`,
          replacedMember: null,
        },
        now,
      );
      event(
        'Normal',
        'PlacementPromoted',
        `${why}: authorization on ${primary.member.name} is Active for good`,
        primary.member.name,
      );
    }

    // 7. reasons
    for (const w of [...members].filter((x) => isServer(x.next))) {
      if (
        w.next.state === 'FailoverTarget' &&
        w.available &&
        PENDING_TARGET_REASONS.has(w.next.reason ?? '')
      ) {
        const since = parseTime(w.next.since) ?? ctx.nowMs;
        const seconds = Math.max(0, (ctx.nowMs - since) / 1000);
        const moved = w.next.reason === 'ManualMove';
        w.next = {
          ...changePlacement(
            w.next,
            {
              reason: 'FailoverServing',
              message: `serves in place of ${root}${moved ? ' (moved by an SRE)' : ''}`,
            },
            now,
          ),
          // Recorded so the console's timeline shows when serving began, not a guess.
          servingSince: now,
        };
        completions.push({ from: root, to: w.member.name, seconds });
        event(
          'Normal',
          moved ? 'MoveCompleted' : 'FailoverCompleted',
          `${describeMember(w.member)} serves authorization of ${gw} in place of ${root}, ${seconds}s after the ${moved ? 'move' : 'failover'} started`,
          w.member.name,
        );
      } else if (w.next.state === 'Active' && !w.leaving && LEAVING_REASONS.has(w.next.reason ?? '')) {
        w.next = changePlacement(
          w.next,
          { reason: 'Retained', message: `${w.member.name} may hold it again; it stays` },
          now,
        );
      }
    }
    if (primary !== undefined && primary === roles.moveTarget && primary.available) {
      const home = roles.home;
      if (home === undefined || home.next.state === 'Draining') {
        primary.next = changePlacement(
          primary.next,
          { reason: 'Moved', message: `moved here from ${root} by an SRE`, replacedMember: null },
          now,
        );
        // The slot's root is now the move target: what else stood in for the old root (a Lost or
        // Draining stand-in) belongs to the new root's slot, or that slot, left without a home,
        // would get a replacement of its own — two serving for one wanted (property test).
        for (const other of items) {
          if (other !== primary && other.next.replacedMember === root)
            other.next = { ...other.next, replacedMember: primary.member.name };
        }
        event(
          'Normal',
          'MoveCompleted',
          `authorization of ${gw} moved from ${root} to ${primary.member.name}`,
          primary.member.name,
        );
      }
    }
  };

  for (const w of rehome(works, ctx)) {
    event(
      'Normal',
      'FailbackCompleted',
      `${w.member.name} stood in for a site that stood in for it: it serves its own slot again`,
      w.member.name,
    );
  }
  for (const group of groupBySlot(works, (w) => w.next)) resolveGroup(group);
  return { works, problems, events, failovers, completions, deadlines };
}

// The FailedOver condition: True while a FailoverTarget stands in for a member, saying for whom,
// whether it serves yet, and when (or how) authorization goes back.
import type { Placement } from '../api/index.js';
import { assessEligibility, listText } from '../placement/index.js';
import type { PlanContext } from './context.js';
import { groupBySlot } from './groups.js';
import { isAvailable } from './signals.js';
import type { FailedOverStatus } from './types.js';
import { isServer } from './work.js';

export function failedOverStatus(placements: readonly Placement[], ctx: PlanContext): FailedOverStatus {
  const auth = placements.filter((p) => p.component === 'authorization');
  const targets = auth.filter((p) => p.state === 'FailoverTarget');
  const { mode, failbackStabilizationSeconds } = ctx.spec.failover;
  const gw = `${ctx.spec.namespace}/${ctx.spec.name}`;
  const serving = (p: Placement) => isAvailable(ctx.signal(p.memberKind, p.member, 'authorization'));
  if (targets.length > 0) {
    const returning = new Set(
      auth
        .filter((p) => p.state === 'Active' && targets.some((t) => t.replacedMember === p.member))
        .map((p) => p.member),
    );
    const parts = targets.map((t) => {
      const root = t.replacedMember ?? '';
      const home = ctx.memberNamed(root);
      const keep = home ? assessEligibility(home, ctx.keepRequirements, { ignoreHealth: true }) : undefined;
      let back: string;
      if (returning.has(root)) back = `${root} is coming back (failback in progress)`;
      else if (home === undefined) back = `${root} no longer exists`;
      else if (
        keep &&
        !keep.eligible &&
        keep.reason !== 'InsufficientCapacity' &&
        keep.reason !== 'Cordoned'
      ) {
        back = `${keep.message}, so it cannot take it back`;
      } else if (mode === 'Manual')
        back = `move it back with kubectl paygrid move ${gw} --from ${t.member} --to ${root}`;
      else if (keep && !keep.eligible && keep.reason === 'Cordoned')
        back = `fails back once ${root} is uncordoned`;
      else if (keep && !keep.eligible) back = `fails back once ${root} has capacity again (${keep.message})`;
      else {
        back =
          `fails back once ${root} has been Healthy for ${failbackStabilizationSeconds}s in a row since the failover` +
          (home.health === 'Healthy' && home.healthSince
            ? ` (Healthy since ${home.healthSince})`
            : ` (now ${home.health})`);
      }
      return `${t.member} stands in for ${root} (${serving(t) ? 'serving' : 'not available yet'}); ${back}`;
    });
    const reason =
      returning.size > 0
        ? 'FailbackInProgress'
        : targets.every((t) => !serving(t))
          ? 'FailoverInProgress'
          : 'FailedOver';
    return { status: true, reason, message: parts.join('; ') };
  }
  const uncovered = groupBySlot(auth, (p) => p)
    .filter((g) => g.items.some((p) => p.state === 'Lost') && !g.items.some(isServer))
    .map((g) => g.root);
  if (uncovered.length > 0) {
    return mode === 'Manual'
      ? {
          status: false,
          reason: 'ManualFailoverRequired',
          message:
            `authorization on ${listText(uncovered)} is Lost and spec.failover.mode is Manual: nothing moves ` +
            `automatically; move it with kubectl paygrid move ${gw} --from <lost site> --to <site>`,
        }
      : {
          status: false,
          reason: 'NoFailoverTarget',
          message: `authorization on ${listText(uncovered)} is Lost and no site can stand in for it (see the Degraded condition)`,
        };
  }
  return {
    status: false,
    reason: 'NoFailover',
    message: 'every authorization placement is on its chosen site',
  };
}

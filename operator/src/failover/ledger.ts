// The ledger's failover: when the CloudCluster of the primary ledger is lost, the first standby that
// can write takes over, fenced by the new epoch. Pure, like the rest of the planner.
//
// - Promotion: no ledger placement serves, the primary's is Lost (its cluster Unreachable), the mode
//   is Automatic → the first of spec.ledger.standbys (in order) whose cluster is Healthy and Ready
//   and whose ledger is available becomes FailoverTarget (replacedMember: the primary). Its role in
//   /etc/paygrid says it serves; the epoch grows, so its first write raises the database's fence and
//   the old primary's writes are refused from then on (docs/ledger.md, I6).
// - The old primary, once back, stays Lost (AwaitingFailback, placeLedger): rendered with the new
//   epoch and a role that does not write. The books do not move back on their own: an SRE makes the
//   promoted cluster spec.ledger.primary (docs/runbook.md). Only when the promoted one is lost in
//   turn does a healthy old primary take them back (Recovered: nothing else can write).
// - A promoted standby stands in only while the member it replaced is spec.ledger.primary: a new
//   primary in the spec makes it a standby again (placeLedger), so there is one writer.
// - Manual mode, or no standby that can take over: a problem says what to do; nothing moves.
import type { Placement } from '../api/index.js';
import { listText, type MemberView, type PlacementProblem } from '../placement/index.js';
import type { PlanContext } from './context.js';
import { isAvailable } from './signals.js';
import type { FailoverRecord, PlanEvent } from './types.js';
import { changePlacement } from './work.js';

export interface LedgerFailover {
  /** The ledger placements as decided (the input, with at most one promoted). */
  readonly placements: Placement[];
  readonly problems: PlacementProblem[];
  readonly events: PlanEvent[];
  readonly failovers: FailoverRecord[];
}

const serves = (p: Placement): boolean => p.state === 'Active' || p.state === 'FailoverTarget';

/** Why a standby cannot take the books now, or undefined when it can. */
function cannotPromote(
  name: string,
  placement: Placement | undefined,
  member: MemberView | undefined,
  ctx: PlanContext,
): string | undefined {
  if (member === undefined || placement === undefined) return `${name} holds no standby ledger`;
  if (placement.state !== 'Standby') return `${name}'s ledger is ${placement.state}`;
  if (member.health !== 'Healthy') return `${name} is ${member.health}`;
  if (!member.ready) return `${name} is not Ready`;
  if (!isAvailable(ctx.signal('CloudCluster', name, 'ledger')))
    return `${name}'s standby ledger is not available`;
  return undefined;
}

/** Promotes a standby ledger when the primary's cluster is lost (see the header). */
export function failoverLedger(ledger: readonly Placement[], ctx: PlanContext): LedgerFailover {
  const placements = [...ledger];
  const none: LedgerFailover = { placements, problems: [], events: [], failovers: [] };
  const { primary, standbys } = ctx.spec.ledger;
  const lostPrimary = placements.find((p) => p.member === primary && p.state === 'Lost');
  if (lostPrimary === undefined || placements.some(serves)) return none;
  const member = ctx.memberOf('CloudCluster', primary);
  // Lost because its cluster is Unreachable now; a primary Lost and back (recovering) is not a
  // reason to move the books.
  if (member !== undefined && member.health !== 'Unreachable') return none;

  const gw = `${ctx.spec.namespace}/${ctx.spec.name}`;
  if (standbys.length === 0) {
    return {
      ...none,
      problems: [
        {
          component: 'ledger',
          severity: 'Error',
          reason: 'NoStandbyToPromote',
          message:
            `the primary ledger's CloudCluster ${primary} is Unreachable and spec.ledger.standbys is empty: ` +
            'payments are stood in at the edge until it is back (add standbys to fail the ledger over)',
        },
      ],
    };
  }
  if (ctx.spec.failover.mode === 'Manual') {
    return {
      ...none,
      problems: [
        {
          component: 'ledger',
          severity: 'Error',
          reason: 'ManualPromotionRequired',
          message:
            `the primary ledger's CloudCluster ${primary} is Unreachable and spec.failover.mode is Manual: ` +
            `promote a standby by making it spec.ledger.primary of ${gw} (standbys: ${listText(standbys)})`,
        },
      ],
    };
  }

  const why: string[] = [];
  for (const name of standbys) {
    const i = placements.findIndex((p) => p.component === 'ledger' && p.member === name);
    const standby = i < 0 ? undefined : placements[i];
    const reason = cannotPromote(name, standby, ctx.memberOf('CloudCluster', name), ctx);
    if (reason !== undefined || standby === undefined) {
      why.push(reason ?? `${name} holds no standby ledger`);
      continue;
    }
    placements[i] = changePlacement(
      standby,
      {
        state: 'FailoverTarget',
        reason: 'StandbyPromoted',
        message:
          `promoted: the primary's CloudCluster ${primary} is Unreachable; this ledger writes the books ` +
          'from the new epoch on, and the old primary is fenced',
        replacedMember: primary,
      },
      ctx.now,
    );
    return {
      placements,
      problems: [],
      events: [
        {
          type: 'Warning',
          reason: 'LedgerPromoted',
          message: `CloudCluster ${primary} is Unreachable: the standby ledger on ${name} is promoted and writes the books`,
          member: name,
        },
      ],
      failovers: [{ from: primary, to: name, reason: 'SiteUnreachable' }],
    };
  }
  return {
    ...none,
    problems: [
      {
        component: 'ledger',
        severity: 'Error',
        reason: 'NoStandbyToPromote',
        message:
          `the primary ledger's CloudCluster ${primary} is Unreachable and no standby can take over ` +
          `(${why.join('; ')}): payments are stood in at the edge until one can`,
      },
    ],
  };
}

// Ledger placement: the primary CloudCluster Active, each standby Standby, as the spec names them.
// Members that are unreachable keep their placement as Lost; promotion is the failover planner's.
import type { Placement } from '../api/index.js';
import { describeMember, describeWhere } from './describe.js';
import type { ResolvedGatewaySpec } from './gatewaySpec.js';
import { existingPlacements, makePlacement, memberKey } from './placementRecords.js';
import type { ComponentOutcome } from './stableSelection.js';
import type { MemberView, PlacementProblem, PlacementState, RemovedPlacement } from './types.js';

function since(member: MemberView): string {
  return member.healthSince ? ` since ${member.healthSince}` : '';
}

/** Places the ledger on spec.ledger.primary (Active) and spec.ledger.standbys (Standby). */
export function placeLedger(
  ledger: ResolvedGatewaySpec['ledger'],
  statusPlacements: readonly Placement[] | undefined,
  members: readonly MemberView[],
  now: string,
): ComponentOutcome {
  const component = 'ledger' as const;
  const existing = existingPlacements(statusPlacements, component);
  const previousOf = new Map(existing.map((p) => [memberKey(p.memberKind, p.member), p]));
  const clouds = new Map(members.filter((m) => m.kind === 'CloudCluster').map((m) => [m.name, m]));
  const edgeNames = new Set(members.filter((m) => m.kind === 'EdgeSite').map((m) => m.name));
  // A promoted standby (failover/ledger.ts) stands in for the member it replaced, while that one is
  // still spec.ledger.primary: a new primary in the spec ends the stand-in (one writer), and the
  // promoted one is a standby again (below).
  const promotedFor = new Map(
    existing
      .filter((p) => p.state === 'FailoverTarget' && p.replacedMember === ledger.primary)
      .map((p) => [p.replacedMember as string, p.member]),
  );
  const placements: Placement[] = [];
  const problems: PlacementProblem[] = [];
  const wanted = new Set<string>();

  const desired: { name: string; role: 'Active' | 'Standby'; field: string }[] = [
    { name: ledger.primary, role: 'Active', field: 'spec.ledger.primary' },
    ...ledger.standbys.map((name) => ({ name, role: 'Standby' as const, field: 'spec.ledger.standbys' })),
  ];
  for (const { name, role, field } of desired) {
    const member = clouds.get(name);
    const isPrimary = role === 'Active';
    if (member === undefined) {
      const what = edgeNames.has(name)
        ? `${name} is an EdgeSite; the ledger runs on CloudClusters`
        : `CloudCluster ${name} does not exist`;
      problems.push({
        component,
        severity: isPrimary ? 'Error' : 'Warning',
        reason: isPrimary ? 'PrimaryNotFound' : 'StandbyNotFound',
        message: isPrimary
          ? `${what}; create it or set ${field} to an existing CloudCluster (the ledger is not placed)`
          : `${what}; create it or remove it from ${field} (the other standbys are placed)`,
      });
      continue;
    }
    wanted.add(memberKey(member.kind, member.name));
    const previous = previousOf.get(memberKey(member.kind, member.name));
    const at = `${field}, region ${member.region}${member.zone ? `, ${describeWhere(member)}` : ''}`;
    const make = (state: PlacementState, reason: string, message: string, replacedMember?: string): void => {
      placements.push(
        makePlacement(
          {
            component,
            member: member.name,
            memberKind: member.kind,
            state,
            replicas: ledger.replicas,
            reason,
            message,
            ...(replacedMember === undefined ? {} : { replacedMember }),
          },
          now,
          previous,
        ),
      );
    };

    if (previous?.state === 'Draining') {
      placements.push({ ...previous, replicas: ledger.replicas });
    } else if (member.health === 'Unreachable') {
      make(
        'Lost',
        'MemberUnreachable',
        `${describeMember(member)} is Unreachable${since(member)}; its ledger is left alone until it is back`,
      );
      const promoted = promotedFor.get(name);
      problems.push(
        promoted !== undefined
          ? {
              component,
              severity: 'Warning',
              reason: 'PrimaryReplaced',
              message: `primary CloudCluster ${name} is Unreachable${since(member)}; the promoted standby ledger on ${promoted} writes the books`,
            }
          : {
              component,
              severity: isPrimary ? 'Error' : 'Warning',
              reason: isPrimary ? 'PrimaryUnreachable' : 'StandbyUnreachable',
              message: isPrimary
                ? `primary CloudCluster ${name} is Unreachable${since(member)}: nothing is booked there until it ` +
                  'is back or a standby is promoted; edge sites stand in meanwhile'
                : `standby CloudCluster ${name} is Unreachable${since(member)}; it cannot be promoted until it is back`,
            },
      );
    } else if (previous?.state === 'FailoverTarget' && isPrimary) {
      // The promoted standby made the primary in the spec: the promotion is for good.
      make(
        'Active',
        'PrimaryConfigured',
        `${at}, promoted standby made the primary, health ${member.health}`,
      );
    } else if (previous?.state === 'FailoverTarget' && previous.replacedMember === ledger.primary) {
      make(
        'FailoverTarget',
        previous.reason || 'FailoverTarget',
        previous.message ?? '',
        previous.replacedMember,
      );
    } else if (previous?.state === 'Lost' && promotedFor.has(name)) {
      const promoted = promotedFor.get(name) as string;
      make(
        'Lost',
        'AwaitingFailback',
        `${name} is reachable again and fenced; the promoted standby on ${promoted} writes the books`,
      );
      problems.push({
        component,
        severity: 'Warning',
        reason: 'LedgerFailedOver',
        message:
          `the promoted standby ledger on ${promoted} writes the books; ${name} is back and fenced: set ` +
          `spec.ledger.primary to ${promoted} (and ${name} in spec.ledger.standbys) to keep them there ` +
          '(docs/runbook.md, "The ledger failed over")',
      });
    } else if (previous?.state === 'Lost' && !(member.health === 'Healthy' && member.ready)) {
      make(
        'Lost',
        'MemberRecovering',
        `${name} is ${member.health}${member.ready ? '' : ', not Ready'}; the placement stays Lost until it is Healthy and Ready`,
      );
    } else if (previous?.state === 'Lost') {
      make(role, 'Recovered', `${name} is Healthy and Ready again (${at})`);
    } else {
      make(role, isPrimary ? 'PrimaryConfigured' : 'StandbyConfigured', `${at}, health ${member.health}`);
    }
  }

  const removed: RemovedPlacement[] = existing
    .filter((p) => !wanted.has(memberKey(p.memberKind, p.member)))
    .map((p) =>
      p.memberKind === 'CloudCluster' && clouds.has(p.member ?? '')
        ? {
            placement: p,
            reason: 'NoLongerConfigured',
            message: `CloudCluster ${p.member ?? ''} is no longer spec.ledger.primary or a standby`,
          }
        : {
            placement: p,
            reason: 'MemberNotFound',
            message: `${p.memberKind ?? 'member'} ${p.member ?? ''} no longer exists`,
          },
    );
  return { placements, removed, problems };
}

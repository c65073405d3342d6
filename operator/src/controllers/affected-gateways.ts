// Which gateways a change of one member (its health, spec, labels) can matter to: those with a
// placement on it or standing in for it, and those not Ready (they may be waiting for a member to
// place on). A Ready gateway that neither uses nor replaces the member plans the same whatever it
// does. Enqueueing only these, instead of every gateway, is what keeps a site outage with N
// gateways elsewhere from queueing all N passes ahead of the affected ones (issue 11).
import type { MemberKind, PaymentGateway } from '../api/index.js';

type GatewayLike = Pick<PaymentGateway, 'status'> & { metadata?: { deletionTimestamp?: unknown } };

export function gatewaysAffectedByMember<G extends GatewayLike>(
  gateways: readonly G[],
  kind: MemberKind,
  name: string,
): G[] {
  return gateways.filter((gw) => {
    const ready = gw.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready || gw.metadata?.deletionTimestamp) return true;
    return (gw.status?.placements ?? []).some(
      (p) => (p.member === name && p.memberKind === kind) || p.replacedMember === name,
    );
  });
}

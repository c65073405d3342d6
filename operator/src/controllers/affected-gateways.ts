// Which gateways a change of one member (its health, spec, labels) can matter to: those with a
// placement on it or standing in for it, those whose ledger names it (primary or standby), and
// those not Ready or Degraded (they may be waiting for a member to place on). A Ready gateway
// that neither uses nor replaces the member plans the same whatever it does. Enqueueing only
// these, instead of every gateway, keeps a site outage with N gateways elsewhere from queueing all
// N passes ahead of the affected ones (issue 11).
import type { MemberKind, PaymentGateway } from '../api/index.js';

type GatewayLike = Pick<PaymentGateway, 'status'> & {
  metadata?: { deletionTimestamp?: unknown };
  spec?: { ledger?: { primary?: string; standbys?: readonly string[] } };
};

export function gatewaysAffectedByMember<G extends GatewayLike>(
  gateways: readonly G[],
  kind: MemberKind,
  name: string,
): G[] {
  return gateways.filter((gw) => {
    const condition = (type: string) => gw.status?.conditions?.find((c) => c.type === type)?.status;
    if (condition('Ready') !== 'True' || condition('Degraded') === 'True' || gw.metadata?.deletionTimestamp)
      return true;
    const ledger = gw.spec?.ledger;
    if (kind === 'CloudCluster' && (ledger?.primary === name || ledger?.standbys?.includes(name)))
      return true;
    return (gw.status?.placements ?? []).some(
      (p) => (p.member === name && p.memberKind === kind) || p.replacedMember === name,
    );
  });
}

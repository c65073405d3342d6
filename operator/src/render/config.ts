// The configuration a workload reads, rendered into its ConfigMap and mounted as files under
// /etc/paygrid (a mounted ConfigMap is updated in place; environment variables would not be).
//
// Fencing data (epoch, role, replaced member, fenced members) is in the ConfigMap, so it reaches the
// running pods, but not in the config hash on the pod template: an epoch bump or a promotion must
// fence the workloads without restarting them. The ledger's endpoint is hashed as the configured
// primary's (RenderContext.configuredLedgerEndpoint), so a ledger failover reaches the pods live
// too. Everything else is in the hash, so changing it rolls the pods.
import { createHash } from 'node:crypto';
import type { Placement } from '../api/index.js';
import type { ResolvedGatewaySpec } from '../placement/gatewaySpec.js';
import type { RenderContext } from './context.js';

/** Where the ConfigMap is mounted in every workload container. */
export const CONFIG_DIR = '/etc/paygrid';

/** ConfigMap keys (file names under CONFIG_DIR). */
export const CONFIG_KEYS = {
  gateway: 'gateway',
  component: 'component',
  member: 'member',
  memberKind: 'member-kind',
  region: 'region',
  zone: 'zone',
  role: 'role',
  epoch: 'epoch',
  replacedMember: 'replaced-member',
  fencedMembers: 'fenced-members',
  ledgerEndpoint: 'ledger-endpoint',
  standInFloorLimitMinor: 'stand-in-floor-limit-minor',
  standInMaxOfflineCount: 'stand-in-max-offline-count',
  standInMaxOfflineAmountMinor: 'stand-in-max-offline-amount-minor',
  standInCurrency: 'stand-in-currency',
} as const;

/** Keys the workloads pick up live; left out of the config hash so they never restart pods. */
export const LIVE_KEYS: readonly string[] = [
  CONFIG_KEYS.epoch,
  CONFIG_KEYS.role,
  CONFIG_KEYS.replacedMember,
  CONFIG_KEYS.fencedMembers,
];

/**
 * The other members whose authorization placement of this gateway is Lost: cut off from the hub,
 * they may still reach the ledger with their old epoch. Every serving site names them, so its
 * first ledger write raises their fence to its epoch and their writes are refused from then on —
 * also when the one that stood in is the one lost and the slot went home, where no placement
 * names it as replaced (found by the fault matrix, issue 12).
 */
export function fencedMembers(placements: readonly Placement[], self: string): string[] {
  const lost = placements.filter(
    (p) => p.component === 'authorization' && p.state === 'Lost' && p.member !== self,
  );
  return [...new Set(lost.map((p) => p.member))].sort();
}

/** The ConfigMap data of one placement. */
export function renderConfigData(
  spec: ResolvedGatewaySpec,
  placement: Placement,
  context: RenderContext,
  fenced: readonly string[] = [],
): Record<string, string> {
  const data: Record<string, string> = {
    [CONFIG_KEYS.gateway]: `${spec.namespace}/${spec.name}`,
    [CONFIG_KEYS.component]: placement.component,
    [CONFIG_KEYS.member]: context.member.name,
    [CONFIG_KEYS.memberKind]: context.member.kind,
    [CONFIG_KEYS.region]: context.member.region,
    [CONFIG_KEYS.role]: placement.state,
    [CONFIG_KEYS.epoch]: String(context.epoch),
  };
  if (context.member.zone) data[CONFIG_KEYS.zone] = context.member.zone;
  if (placement.replacedMember) data[CONFIG_KEYS.replacedMember] = placement.replacedMember;
  if (placement.component === 'authorization') {
    if (fenced.length > 0) data[CONFIG_KEYS.fencedMembers] = fenced.join(',');
    const standIn = spec.authorization.standIn;
    if (context.ledgerEndpoint) data[CONFIG_KEYS.ledgerEndpoint] = context.ledgerEndpoint;
    data[CONFIG_KEYS.standInFloorLimitMinor] = String(standIn.floorLimitMinor);
    data[CONFIG_KEYS.standInMaxOfflineCount] = String(standIn.maxOfflineCount);
    data[CONFIG_KEYS.standInMaxOfflineAmountMinor] = String(standIn.maxOfflineAmountMinor);
    data[CONFIG_KEYS.standInCurrency] = standIn.currency;
  }
  // Analytics follows the ledger's change feed.
  if (placement.component === 'analytics' && context.ledgerEndpoint)
    data[CONFIG_KEYS.ledgerEndpoint] = context.ledgerEndpoint;
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * sha256 (hex) of the data without the live keys, independent of key order; ledger-endpoint, when
 * present, counts as `configuredLedgerEndpoint` when that is given (see RenderContext).
 */
export function configHash(
  data: Readonly<Record<string, string>>,
  configuredLedgerEndpoint?: string,
): string {
  if (configuredLedgerEndpoint !== undefined && data[CONFIG_KEYS.ledgerEndpoint] !== undefined)
    data = { ...data, [CONFIG_KEYS.ledgerEndpoint]: configuredLedgerEndpoint };
  const hashed = Object.keys(data)
    .filter((k) => !LIVE_KEYS.includes(k))
    .sort()
    .map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
}

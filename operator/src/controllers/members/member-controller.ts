// EdgeSite / CloudCluster controller: keeps one registry entry (client +
// prober) per member in step with its resource and kubeconfig Secret, and
// writes the member's status only when something meaningful changed.
import type { V1Secret } from '@kubernetes/client-node';
import { API_VERSION, type Member, type MemberKind } from '../../api/index.js';
import {
  desiredStatusFromSnapshot,
  memberKey,
  statusChanges,
  statusWriteDelay,
  type MemberRegistry,
} from '../../members/index.js';
import type { ReconcileContext, ReconcileResult } from '../../runtime/controller.js';
import type { ObjectClient } from '../../runtime/object-client.js';
import type { HubInformers } from '../hub-informers.js';

export interface MemberControllerDeps {
  hub: HubInformers;
  registry: MemberRegistry;
  client: ObjectClient;
  namespace: string;
  /** --member-status-heartbeat (0: write only on a change). */
  heartbeatMs?: number;
  now?: () => Date;
}

/** Parses a member queue key ("EdgeSite/edge-a"). */
export function parseMemberKey(key: string): { kind: MemberKind; name: string } {
  const [kind, name] = key.split('/', 2);
  if ((kind !== 'EdgeSite' && kind !== 'CloudCluster') || !name) throw new Error(`bad member key ${key}`);
  return { kind, name };
}

export { memberKey };

/** How many placements (of any gateway, not Lost) a member holds. */
export function placementsHeld(hub: HubInformers, kind: MemberKind, name: string): number {
  let n = 0;
  for (const gw of hub.gateways.list()) {
    for (const p of gw.status?.placements ?? []) {
      if (p.member === name && p.memberKind === kind && p.state !== 'Lost') n++;
    }
  }
  return n;
}

export function memberObject(hub: HubInformers, kind: MemberKind, name: string): Member | undefined {
  return kind === 'EdgeSite' ? hub.edgeSites.get(name) : hub.cloudClusters.get(name);
}

export interface MemberReconciler {
  (key: string, ctx: ReconcileContext): Promise<ReconcileResult | void>;
  /**
   * Writes now the statuses the coalescing holds back (statusWriteDelay). Called at shutdown,
   * once the controllers have stopped and before the Lease is released: a held write left to the
   * next leader was that leader's first write at rest (the zero-writes-across-restart test).
   */
  flushHeld(log: ReconcileContext['log']): Promise<void>;
}

export function makeMemberReconciler(deps: MemberControllerDeps): MemberReconciler {
  const now = deps.now ?? (() => new Date());
  /** When each member's status was last written by this process (for statusWriteDelay). */
  const lastWrite = new Map<string, number>();
  /** Members whose status write is held back by the coalescing. */
  const held = new Set<string>();
  const sync = async (
    key: string,
    log: ReconcileContext['log'],
    coalesce: boolean,
  ): Promise<ReconcileResult | void> => {
    const { kind, name } = parseMemberKey(key);
    const member = memberObject(deps.hub, kind, name);
    if (!member) {
      held.delete(key);
      if (deps.registry.remove(key)) log.info('member removed; stopped probing it');
      return;
    }
    const ref = member.spec.kubeconfigSecretRef;
    const secret: V1Secret | undefined = ref
      ? deps.hub.secrets.get(`${deps.namespace}/${ref.name}`)
      : undefined;
    const snapshot = deps.registry.upsert(kind, member, secret);
    const at = now();
    const desired = desiredStatusFromSnapshot(snapshot, member, placementsHeld(deps.hub, kind, name), at);
    const changes = statusChanges(member.status, desired, {
      now: at,
      heartbeatMilliseconds: deps.heartbeatMs ?? 0,
    });
    if (changes.length === 0) {
      held.delete(key);
      return;
    }
    const delay = coalesce ? statusWriteDelay(changes, lastWrite.get(key), at.getTime()) : 0;
    if (delay > 0) {
      held.add(key);
      return { requeueAfter: delay };
    }
    await deps.client.applyStatus({
      apiVersion: API_VERSION,
      kind,
      metadata: { name },
      status: desired,
    });
    held.delete(key);
    lastWrite.set(key, at.getTime());
    log.debug({ health: desired.health, changes }, 'member status written');
  };
  const reconcile = (key: string, ctx: ReconcileContext) => sync(key, ctx.log, true);
  return Object.assign(reconcile, {
    flushHeld: async (log: ReconcileContext['log']) => {
      for (const key of [...held])
        await sync(key, log, false).catch((err: unknown) =>
          log.warn({ err, key }, 'held member status not written'),
        );
    },
  });
}

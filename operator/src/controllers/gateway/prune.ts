// Prune: deletes, on every reachable member, the gateway's objects (found by
// label) that are no longer desired there. A member is listed again only
// when what it should hold changed, so a converged system only reads.
import { LABEL_MEMBER } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import { gatewayRef, managedKinds, pruneLabelSelector } from '../../render/index.js';
import { errorText } from '../../runtime/errors.js';
import { objectId } from './applied-cache.js';
import { isReachable } from './member-views.js';
import type { GatewayDeps, GatewayPass } from './pass.js';

/** What was last pruned against, per gateway and member. */
export class PruneMemory {
  private readonly seen = new Map<string, string>();
  isCurrent(gw: string, member: string, signature: string): boolean {
    return this.seen.get(`${gw}#${member}`) === signature;
  }
  record(gw: string, member: string, signature: string): void {
    this.seen.set(`${gw}#${member}`, signature);
  }
  forget(gw: string, member: string): void {
    this.seen.delete(`${gw}#${member}`);
  }
}

export async function pruneStep(
  pass: GatewayPass,
  deps: GatewayDeps & { pruneMemory: PruneMemory },
): Promise<void> {
  if (pass.deleting || pass.paused) return;
  const gw = pass.gateway;
  const gatewaySelector = pruneLabelSelector(gatewayRef(gw));
  const heldBefore = new Set((gw.status?.placements ?? []).map((p) => memberKey(p.memberKind, p.member)));
  const members = [
    ...deps.hub.edgeSites.list().map((s) => memberKey('EdgeSite', s.metadata?.name ?? '')),
    ...deps.hub.cloudClusters.list().map((c) => memberKey('CloudCluster', c.metadata?.name ?? '')),
  ];
  await Promise.all(
    members.map(async (key) => {
      const name = key.slice(key.indexOf('/') + 1);
      const desired = pass.rendered.get(key) ?? [];
      const client = deps.memberClients.get(key);
      if (!client || !isReachable(deps.registry, key)) {
        deps.pruneMemory.forget(pass.key, key);
        const stillPlaced = pass.placements.some((p) => memberKey(p.memberKind, p.member) === key);
        if (heldBefore.has(key) && !stillPlaced) pass.pendingCleanup.add(name);
        return;
      }
      const selector = `${gatewaySelector},${LABEL_MEMBER}=${name}`;
      const wanted = new Set(desired.map((o) => objectId(key, o)));
      const signature = `${deps.registry.get(key)?.fingerprint}:${[...wanted].sort().join(',')}`;
      if (deps.pruneMemory.isCurrent(pass.key, key, signature)) return;
      try {
        let deleted = 0;
        for (const kind of managedKinds().filter((k) => k.prune)) {
          for (const obj of await client.listByLabel(kind.apiVersion, kind.kind, selector)) {
            const id = objectId(key, obj);
            if (wanted.has(id)) continue;
            if (await client.remove(obj)) deleted++;
            deps.applied.forget(id);
          }
        }
        if (deleted > 0) pass.log.info({ member: key, deleted }, 'pruned objects no longer desired');
        deps.pruneMemory.record(pass.key, key, signature);
      } catch (err) {
        pass.pendingCleanup.add(name);
        pass.memberProblems.set(key, {
          reason: 'PruneFailed',
          message: `pruning on ${name}: ${errorText(err)}`,
        });
      }
    }),
  );
}

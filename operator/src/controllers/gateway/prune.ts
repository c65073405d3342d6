// Prune: deletes, on every reachable member, the gateway's objects (found by
// label) that are no longer desired there, and the Secret copies (by name:
// members never list Secrets) of components that left it. A member is listed
// again only when what it should hold changed, so a converged system only reads.
import { LABEL_MEMBER } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import type { Component, PaymentGateway } from '../../api/index.js';
import {
  componentSecretIdentity,
  gatewayRef,
  managedKinds,
  pruneLabelSelector,
  sortForDeletion,
} from '../../render/index.js';
import type { ObjectClient } from '../../runtime/object-client.js';
import { errorText } from '../../runtime/errors.js';
import { objectId } from './applied-cache.js';
import { isReachable } from './member-views.js';
import type { GatewayDeps, GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

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
): Promise<StepResult> {
  if (pass.deleting || pass.paused) return CONTINUE;
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
      const wanted = new Set([...desired.map((o) => objectId(key, o)), ...heldOn(pass.held, key)]);
      const signature = `${deps.registry.get(key)?.fingerprint}:${[...wanted].sort().join(',')}`;
      if (deps.pruneMemory.isCurrent(pass.key, key, signature)) return;
      try {
        let deleted = 0;
        // One list per kind, all at once; what is not wanted goes in deletion order.
        const listed = await Promise.all(
          managedKinds()
            .filter((k) => k.prune === 'label')
            .map((kind) => client.listByLabel(kind.apiVersion, kind.kind, selector)),
        );
        for (const obj of sortForDeletion(listed.flat())) {
          const id = objectId(key, obj);
          if (wanted.has(id)) continue;
          if (await client.remove(obj)) deleted++;
          deps.applied.forget(id);
        }
        deleted += await pruneSecretCopies(client, key, gw, pass, wanted, deps);
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
  return CONTINUE;
}

function heldOn(held: ReadonlySet<string>, key: string): string[] {
  return [...held].filter((id) => id.startsWith(`${key}|`));
}

/**
 * Deletes by name the Secret copies no longer wanted on a member, of the components that were placed
 * there (before this pass or now): a member that never ran a component is not touched, so two
 * members sharing one cluster never delete each other's copy.
 */
async function pruneSecretCopies(
  client: ObjectClient,
  key: string,
  gw: PaymentGateway,
  pass: GatewayPass,
  wanted: ReadonlySet<string>,
  deps: GatewayDeps,
): Promise<number> {
  const components = new Set<Component>();
  for (const p of [...(gw.status?.placements ?? []), ...pass.placements])
    if (memberKey(p.memberKind, p.member) === key) components.add(p.component);
  let deleted = 0;
  for (const component of components) {
    const copy = componentSecretIdentity(gatewayRef(gw), component);
    const id = objectId(key, copy);
    if (wanted.has(id)) continue;
    if (await client.remove(copy)) deleted++;
    deps.applied.forget(id);
  }
  return deleted;
}

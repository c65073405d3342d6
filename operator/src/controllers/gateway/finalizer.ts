// Finalizer: present on every live gateway; on deletion, removes the
// gateway's objects from every member, and releases the gateway only when no
// member still holds any. An unreachable member is cleaned when it returns.
import { API_VERSION, FINALIZER, type PaymentGateway } from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import {
  allComponentSecretIdentities,
  gatewayRef,
  managedKinds,
  pruneLabelSelector,
} from '../../render/index.js';
import { errorText } from '../../runtime/errors.js';
import type { ObjectClient } from '../../runtime/object-client.js';
import { isReachable } from './member-views.js';
import { regardingGateway, type GatewayDeps, type GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

const CLEANUP_RETRY_MS = 5_000;

function gatewayHeader(gw: PaymentGateway) {
  return {
    apiVersion: API_VERSION,
    kind: 'PaymentGateway',
    metadata: { name: gw.metadata?.name, namespace: gw.metadata?.namespace },
  };
}

async function setFinalizers(client: ObjectClient, gw: PaymentGateway, finalizers: string[]): Promise<void> {
  // resourceVersion makes this an optimistic update: a concurrent change to
  // the list (another finalizer) fails with 409 and the pass is retried.
  await client.mergePatch(gatewayHeader(gw), {
    metadata: { resourceVersion: gw.metadata?.resourceVersion, finalizers },
  });
}

/**
 * Deletes every object of the gateway on one member (Namespaces are shared: kept): by label, and
 * the Secret copies by name (members never list Secrets).
 */
export async function deleteGatewayObjects(client: ObjectClient, gw: PaymentGateway): Promise<number> {
  const selector = pruneLabelSelector(gatewayRef(gw));
  let deleted = 0;
  for (const kind of managedKinds().filter((k) => k.prune === 'label')) {
    for (const obj of await client.listByLabel(kind.apiVersion, kind.kind, selector)) {
      if (await client.remove(obj)) deleted++;
    }
  }
  for (const copy of allComponentSecretIdentities(gatewayRef(gw))) if (await client.remove(copy)) deleted++;
  return deleted;
}

export async function finalizerStep(pass: GatewayPass, deps: GatewayDeps): Promise<StepResult> {
  const gw = pass.gateway;
  const finalizers = gw.metadata?.finalizers ?? [];
  if (!gw.metadata?.deletionTimestamp) {
    if (!finalizers.includes(FINALIZER)) await setFinalizers(deps.hubClient, gw, [...finalizers, FINALIZER]);
    return CONTINUE;
  }
  pass.deleting = true;
  if (!finalizers.includes(FINALIZER)) return { next: 'stop' };
  // Every member that may hold objects: all registered members, plus any
  // named in status that is no longer registered (it cannot be cleaned).
  const names = new Set<string>();
  for (const p of gw.status?.placements ?? []) names.add(`${p.memberKind}/${p.member}`);
  for (const m of gw.status?.pendingCleanup ?? []) {
    if (deps.hub.edgeSites.get(m)) names.add(memberKey('EdgeSite', m));
    if (deps.hub.cloudClusters.get(m)) names.add(memberKey('CloudCluster', m));
  }
  for (const s of deps.hub.edgeSites.list()) names.add(memberKey('EdgeSite', s.metadata?.name ?? ''));
  for (const c of deps.hub.cloudClusters.list()) names.add(memberKey('CloudCluster', c.metadata?.name ?? ''));

  await Promise.all(
    [...names].map(async (key) => {
      const name = key.slice(key.indexOf('/') + 1);
      const client = deps.memberClients.get(key);
      if (!client || !isReachable(deps.registry, key)) {
        const heldBefore = (gw.status?.placements ?? []).some((p) => `${p.memberKind}/${p.member}` === key);
        if (heldBefore || (gw.status?.pendingCleanup ?? []).includes(name)) pass.pendingCleanup.add(name);
        return;
      }
      try {
        const n = await deleteGatewayObjects(client, gw);
        deps.applied.forgetMember(key);
        if (n > 0) pass.log.info({ member: key, deleted: n }, 'removed gateway objects from member');
      } catch (err) {
        pass.pendingCleanup.add(name);
        pass.memberProblems.set(key, {
          reason: 'CleanupFailed',
          message: `deleting objects on ${name}: ${errorText(err)}`,
        });
      }
    }),
  );
  // Still held somewhere: the rest of the pass reports it in status, and cleanup is retried.
  if (pass.pendingCleanup.size > 0) return { next: 'continue', requeueWithinMs: CLEANUP_RETRY_MS };
  await setFinalizers(
    deps.hubClient,
    gw,
    finalizers.filter((f) => f !== FINALIZER),
  );
  deps.events.normal(
    regardingGateway(gw),
    'CleanupCompleted',
    'Delete',
    'removed the gateway from every member',
  );
  return { next: 'stop' };
}

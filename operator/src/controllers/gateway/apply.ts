// Apply: renders what each member needs and server-side applies it under
// paygrid's field manager. Members are handled concurrently, each with its
// own request deadline; an unreachable member is skipped, never waited on.
// Within a member, objects go in three stages (Namespace; what runs nothing;
// Deployment and PDB), each stage's requests at once.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  LABEL_MEMBER,
  LABEL_PAYGRID_COMPONENT,
  type Component,
  type Member,
} from '../../api/index.js';
import { memberKey } from '../../members/index.js';
import {
  componentSecretIdentity,
  gatewayRef,
  renderMember,
  RenderError,
  applyStages,
  sortForApply,
  type RenderContext,
} from '../../render/index.js';
import { errorText } from '../../runtime/errors.js';
import { ownedFieldsFingerprint } from '../../runtime/managed-fields.js';
import { contentHash, objectId } from './applied-cache.js';
import { checkDeployment, reapplyVerdict, type DriftCheck } from './drift.js';
import { isReachable } from './member-views.js';
import { regardingGateway, workloadKey, type GatewayDeps, type GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

/** The Event reason when a member's object was changed by someone else and put back. */
export const DRIFT_CORRECTED_REASON = 'DriftCorrected';

function memberOf(deps: GatewayDeps, kind: string, name: string): Member | undefined {
  return kind === 'EdgeSite' ? deps.hub.edgeSites.get(name) : deps.hub.cloudClusters.get(name);
}

/**
 * The ledger's base URL as edge sites reach it: the endpoint of the cloud cluster whose ledger
 * writes the books (the primary's, or a promoted standby's). While none does (the primary lost,
 * nothing promoted yet), the last one stays: authorization stands in on timeouts either way.
 */
function ledgerEndpoint(pass: GatewayPass, deps: GatewayDeps): string | undefined {
  const ledgers = pass.placements.filter((p) => p.component === 'ledger');
  const writer =
    ledgers.find((p) => p.state === 'Active') ??
    ledgers.find((p) => p.state === 'FailoverTarget') ??
    ledgers.find((p) => p.state === 'Lost' && p.member === pass.gateway.spec.ledger.primary);
  return writer ? deps.hub.cloudClusters.get(writer.member)?.spec.endpoint : undefined;
}

/** Renders every member's objects into pass.rendered (pure; no I/O). */
export function renderAll(pass: GatewayPass, deps: GatewayDeps): void {
  const members = new Map<string, { kind: string; name: string }>();
  for (const p of pass.placements) {
    const key = memberKey(p.memberKind, p.member);
    // Draining: its objects go (prune removes what is not rendered). Lost: left
    // alone while unreachable; once reachable again its ConfigMap gets the new
    // epoch (fencing) and its workload stays until the planner drains it.
    if (p.state === 'Draining') continue;
    if (p.state === 'Lost' && !isReachable(deps.registry, key)) continue;
    members.set(key, { kind: p.memberKind, name: p.member });
  }
  const endpoint = ledgerEndpoint(pass, deps);
  const configured = deps.hub.cloudClusters.get(pass.gateway.spec.ledger.primary)?.spec.endpoint;
  for (const [key, { kind, name }] of members) {
    const member = memberOf(deps, kind, name);
    if (!member) continue;
    const ctx: RenderContext = {
      member: {
        name,
        kind: kind as RenderContext['member']['kind'],
        region: member.spec.region,
        ...zoneOf(member),
        ...(member.spec.workloads ? { workloads: member.spec.workloads } : {}),
      },
      epoch: pass.epoch,
      secrets: pass.secrets,
      ...(endpoint ? { ledgerEndpoint: endpoint } : {}),
      ...(configured ? { configuredLedgerEndpoint: configured } : {}),
    };
    const rendered = pass.placements.filter((p) => p.state !== 'Draining');
    const objects = sortForApply(renderMember(pass.gateway, rendered, ctx)).map((o) =>
      o.kind === 'Namespace' ? o : withMemberLabel(o, name),
    );
    pass.rendered.set(key, holdComponents(pass, key, objects));
  }
  // Draining: fenced first, then drained. While its workload is still on a reachable member, the
  // placement's ConfigMap stays, with the new epoch and role Draining, written before prune removes
  // the rest in this same pass: pods still terminating know they are fenced (a site coming back from
  // a partition learns the new epoch before its workloads go). The ConfigMap goes with the placement.
  for (const p of pass.placements) {
    if (p.state !== 'Draining') continue;
    const key = memberKey(p.memberKind, p.member);
    const w = pass.workloads.get(workloadKey(key, p.component));
    if (!isReachable(deps.registry, key) || (w?.observed && !w.present)) continue;
    const member = memberOf(deps, p.memberKind, p.member);
    if (!member) continue;
    const ctx: RenderContext = {
      member: {
        name: p.member,
        kind: p.memberKind as RenderContext['member']['kind'],
        region: member.spec.region,
        ...zoneOf(member),
      },
      epoch: pass.epoch,
      ...(endpoint ? { ledgerEndpoint: endpoint } : {}),
    };
    const fence = renderMember(pass.gateway, [p], ctx)
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => withMemberLabel(o, p.member));
    pass.rendered.set(key, [...(pass.rendered.get(key) ?? []), ...fence]);
  }
}

/**
 * A component whose Secret could not be read (secrets.ts) keeps its Deployment and Secret copy as
 * they are: both are taken out of what is applied and recorded in pass.held, which prune keeps.
 * Everything else of it (its ConfigMap with the epoch, above all) is still applied: fencing never
 * waits for a Secret.
 */
function holdComponents(pass: GatewayPass, key: string, objects: KubernetesObject[]): KubernetesObject[] {
  if (pass.heldComponents.size === 0) return objects;
  const gw = gatewayRef(pass.gateway);
  const heldComponent = (o: KubernetesObject) =>
    pass.heldComponents.has(o.metadata?.labels?.[LABEL_PAYGRID_COMPONENT] as Component);
  for (const o of objects) {
    if (o.kind !== 'Deployment' || !heldComponent(o)) continue;
    pass.held.add(objectId(key, o));
    const component = o.metadata?.labels?.[LABEL_PAYGRID_COMPONENT] as Component;
    pass.held.add(objectId(key, componentSecretIdentity(gw, component)));
  }
  return objects.filter((o) => !((o.kind === 'Deployment' || o.kind === 'Secret') && heldComponent(o)));
}

/**
 * Two members may share a cluster (one registered twice, or a lab): labelling
 * each object with its member keeps one member's prune off the other's objects.
 */
function withMemberLabel(o: KubernetesObject, member: string): KubernetesObject {
  return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, [LABEL_MEMBER]: member } } };
}

function zoneOf(member: Member): { zone?: string } {
  const zone = (member.spec as { zone?: string }).zone;
  return zone ? { zone } : {};
}

export async function applyStep(pass: GatewayPass, deps: GatewayDeps): Promise<StepResult> {
  if (pass.deleting || pass.paused) return CONTINUE;
  try {
    renderAll(pass, deps);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    pass.problems.push({
      component: 'authorization',
      severity: 'Error',
      reason: err.reason,
      message: err.message,
    });
    pass.rendered.clear();
    return CONTINUE;
  }
  await Promise.all(
    [...pass.rendered].map(async ([key, objects]) => {
      if (!isReachable(deps.registry, key)) return;
      const client = deps.memberClients.get(key);
      if (!client) return;
      try {
        // Stage by stage (render/order.ts applyStages), each stage's objects at once.
        for (const stage of applyStages(objects))
          await Promise.all(stage.map((obj) => applyOne(pass, deps, key, client, obj)));
      } catch (err) {
        deps.metrics.memberApplyTotal.inc({ member: key, result: 'error' });
        pass.memberProblems.set(key, {
          reason: 'ApplyFailed',
          message: `applying to ${key.slice(key.indexOf('/') + 1)}: ${errorText(err)}`,
        });
      }
    }),
  );
  return CONTINUE;
}

async function applyOne(
  pass: GatewayPass,
  deps: GatewayDeps,
  key: string,
  client: NonNullable<ReturnType<GatewayDeps['memberClients']['get']>>,
  obj: KubernetesObject,
): Promise<void> {
  const id = objectId(key, obj);
  const hash = contentHash(obj);
  let check: DriftCheck | undefined;
  let liveMissing = false;
  if (obj.kind === 'Deployment' && deps.workloads.hasSynced(key)) {
    const live = deps.workloads.deployment(key, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
    check = checkDeployment(obj, live, deps.applied.applied(id));
    if (check.kind === 'matches') deps.applied.confirm(id);
    liveMissing = !live;
  }
  const found = deps.applied.drift(id); // marked by the owned-objects audit
  const verdict = reapplyVerdict({
    current: deps.applied.isCurrent(id, hash),
    ...(found ? { found } : {}),
    ...(check ? { check } : {}),
    liveMissing,
  });
  if (!verdict.apply) return;
  const answer = await client.apply(obj);
  deps.applied.record(id, hash, {
    ...(answer?.metadata?.generation !== undefined ? { generation: answer.metadata.generation } : {}),
    ...(answer ? { owned: ownedFieldsFingerprint(answer, FIELD_MANAGER) } : {}),
    gateway: pass.key,
  });
  deps.metrics.memberApplyTotal.inc({ member: key, result: 'applied' });
  const drifted = verdict.corrected;
  if (drifted) {
    const where = `${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} on ${key.slice(key.indexOf('/') + 1)}`;
    const message = `${where} changed outside paygrid (${drifted.join(', ')}): re-applied in place`;
    pass.log.info({ member: key, object: obj.metadata?.name, drift: drifted }, 'drift corrected');
    deps.events.normal(regardingGateway(pass.gateway), DRIFT_CORRECTED_REASON, 'Apply', message);
  }
}

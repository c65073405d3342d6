// Everything one member needs for one gateway: plain client-node objects with apiVersion and kind
// set, ready for server-side apply, in apply order. Pure: no I/O, no clock.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { PaymentGateway, Placement } from '../api/index.js';
import { resolveGatewaySpec } from '../placement/gatewaySpec.js';
import { sortPlacements } from '../placement/placementRecords.js';
import { configHash, fencedMembers, renderConfigData } from './config.js';
import { renderConfigMap } from './configMap.js';
import type { RenderContext } from './context.js';
import { componentWorkload, renderDeployment } from './deployment.js';
import { gatewayRef } from './labels.js';
import { renderNamespace } from './namespace.js';
import { checkNames } from './names.js';
import { renderAllowDnsPolicy, renderComponentPolicy, renderDefaultDenyPolicy } from './networkPolicies.js';
import { sortForApply } from './order.js';
import { renderPodDisruptionBudget } from './podDisruptionBudget.js';
import { renderService } from './service.js';
import { componentSecretRef, renderComponentSecret } from './secrets.js';
import { renderServiceAccount } from './serviceAccount.js';

/**
 * The objects context.member needs for the gateway's placements on it (placements of other members
 * are ignored; a component the spec no longer has renders nothing, so pruning removes it). Empty
 * when nothing is placed there. Throws RenderError when the gateway's names cannot be used.
 */
export function renderMember(
  gateway: PaymentGateway,
  placements: readonly Placement[],
  context: RenderContext,
): KubernetesObject[] {
  const spec = resolveGatewaySpec(gateway);
  const gw = gatewayRef(gateway);
  const seen = new Set<string>();
  const mine = sortPlacements(placements).filter((p) => {
    if (p.member !== context.member.name || p.memberKind !== context.member.kind) return false;
    if (seen.has(p.component) || componentWorkload(spec, p.component) === undefined) return false;
    seen.add(p.component);
    return true;
  });
  if (mine.length === 0) return [];
  checkNames(
    gw.namespace,
    gw.name,
    mine.map((p) => p.component),
  );

  const objects: KubernetesObject[] = [
    renderNamespace(gw.namespace),
    renderDefaultDenyPolicy(gw),
    renderAllowDnsPolicy(gw),
  ];
  for (const p of mine) {
    const workload = componentWorkload(spec, p.component);
    if (workload === undefined) continue;
    const fenced = p.component === 'authorization' ? fencedMembers(placements, context.member.name) : [];
    const data = renderConfigData(spec, p, context, fenced);
    const replicas = p.replicas ?? workload.replicas;
    const copied = componentSecretRef(spec, p.component) ? context.secrets?.get(p.component) : undefined;
    if (copied) objects.push(renderComponentSecret(gw, p.component, copied));
    objects.push(
      renderServiceAccount(gw, p.component),
      renderConfigMap(gw, p.component, data),
      renderDeployment({
        gw,
        component: p.component,
        workload,
        replicas,
        configHash: configHash(data, context.configuredLedgerEndpoint),
        ...(context.member.workloads ? { scheduling: context.member.workloads } : {}),
        ...(copied ? { secretVersion: copied.version } : {}),
      }),
      renderService(gw, p.component),
      renderPodDisruptionBudget(gw, p.component, replicas),
      renderComponentPolicy(gw, p.component, context.ledgerEndpoint),
    );
  }
  return sortForApply(objects);
}

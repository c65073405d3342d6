// The kinds paygrid renders on members, in the order they are applied, and how they are pruned.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ManagedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Resource name in API paths. */
  readonly plural: string;
  readonly namespaced: boolean;
  /**
   * How objects of this kind that are no longer desired are deleted: `label`, listed by the gateway
   * label; `name`, deleted by their known names (never listed); false, never (Namespaces are shared
   * by every gateway of a namespace, and may hold other things).
   */
  readonly prune: 'label' | 'name' | false;
}

/**
 * Apply order: the namespace first, then the network policies (pods never run unprotected, and can
 * resolve DNS from their first second), identity, configuration and Secrets, the Service, the Deployment,
 * and last the PodDisruptionBudget that protects it.
 */
const MANAGED_KINDS: readonly ManagedKind[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, prune: false },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
    prune: 'label',
  },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, prune: 'label' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, prune: 'label' },
  // Members never list Secrets (a list returns every Secret's data): the copies are deleted by name.
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, prune: 'name' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true, prune: 'label' },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true, prune: 'label' },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    prune: 'label',
  },
];

/** Every kind paygrid renders on members, in apply order. */
export function managedKinds(): ManagedKind[] {
  return MANAGED_KINDS.map((k) => ({ ...k }));
}

function kindRank(o: KubernetesObject): number {
  const i = MANAGED_KINDS.findIndex((k) => k.kind === o.kind && k.apiVersion === o.apiVersion);
  return i < 0 ? MANAGED_KINDS.length : i;
}

function compareObjects(a: KubernetesObject, b: KubernetesObject): number {
  const key = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const ka = key(a);
  const kb = key(b);
  return kindRank(a) - kindRank(b) || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

/** A copy in apply order (kind order above, then namespace and name). */
export function sortForApply<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return [...objects].sort(compareObjects);
}

/**
 * The objects in apply stages, each sent at once, the stages one after the other: the Namespace;
 * then what runs nothing (network policies, identity, configuration, Secrets, the Service); then
 * the Deployment and the PodDisruptionBudget that protects it. Pods can only come from the last
 * stage, so they still never start unprotected nor without their configuration, and a pass costs
 * three round trips to a member instead of one per object (issue 11: passes were bound by
 * sequential requests).
 */
export function applyStages<T extends KubernetesObject>(objects: readonly T[]): T[][] {
  const stageOf = (o: KubernetesObject) =>
    o.kind === 'Namespace' ? 0 : o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget' ? 2 : 1;
  const stages: T[][] = [[], [], []];
  for (const o of sortForApply(objects)) stages[stageOf(o)]!.push(o);
  return stages.filter((s) => s.length > 0);
}

/**
 * A copy in deletion order, the reverse: the PodDisruptionBudget and Deployment go first, the
 * network policies last (pods stay isolated until they are gone).
 */
export function sortForDeletion<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => compareObjects(b, a));
}

// The Kubernetes API calls the operator makes (its controllers, and the webhook it serves),
// derived from the code's own declarations (the kinds rendered on members, the hub informers,
// the status writers), so that a unit test (required-calls.test.ts) can check them against what
// webhook/required-permissions.ts — and so the Helm chart (webhook/chart.test.ts) — grants, in
// both directions: every call granted, every grant called. A kind added to render/order.ts or to
// hub-informers.ts shows up here without anyone remembering to list it.
//
// Not listed: API discovery (GET /api, /apis/<group>/<version>, made by client-node to resolve a
// kind's path), which Kubernetes grants every authenticated user (ClusterRole system:discovery).
import { API_VERSION, GROUP, KINDS, PLURALS, type Kind } from '../api/index.js';
import { managedKinds } from '../render/index.js';
import {
  LEADER_ELECTION_ID,
  permissionTuples,
  tupleKey,
  type NonResourcePermission,
  type PermissionTuple,
  type ResourcePermission,
  type Scope,
  type Verb,
} from '../webhook/required-permissions.js';
import { HUB_WATCHED_KINDS } from './hub-informers.js';

/** One call on a resource: (group, resource, verb), where, and on which object name if only one. */
export interface ResourceCall {
  readonly group: string;
  /** Resource, with its subresource after a '/', e.g. paymentgateways/status. */
  readonly resource: string;
  readonly verb: Verb;
  /** `operator-namespace`: made only in the operator's namespace; `cluster`: in any namespace or cluster-wide. */
  readonly scope: Scope;
  /** The one object the call is made on, when it is always the same (a placeholder of required-permissions.ts). */
  readonly resourceName?: string;
  /** Which code makes it. */
  readonly why: string;
}

/** One GET of a non-resource URL. */
export interface NonResourceCall {
  readonly nonResourceURL: string;
  readonly verb: 'get';
  readonly why: string;
}

export type Permission = ResourceCall | NonResourceCall;

/** The API group of an apiVersion ('' for the core group's `v1`). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * What the member workload informers (controllers/members/member-workloads.ts) list and watch on
 * every member: paygrid's Deployments. Must be one of the managed kinds (its plural comes from there).
 */
export const MEMBER_WATCHED_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

/**
 * Non-resource URLs members/probe.ts reads: probeReadyz GETs /readyz (and /healthz when /readyz
 * answers 404, as on old apiservers); fetchMemberInfo GETs /version.
 */
export const MEMBER_PROBE_URLS = [
  { url: '/readyz', why: 'members/probe.ts probeReadyz: health probe' },
  { url: '/healthz', why: 'members/probe.ts probeReadyz: fallback when /readyz answers 404' },
  { url: '/version', why: 'members/probe.ts fetchMemberInfo: Kubernetes version and distribution' },
] as const;

function memberCalls(): Permission[] {
  const calls: Permission[] = [];
  const kinds = managedKinds();
  for (const k of kinds) {
    const group = groupOf(k.apiVersion);
    const res = { group, resource: k.plural, scope: 'cluster' as const };
    const what = `${k.kind} (render/order.ts managedKinds)`;
    // controllers/gateway/apply.ts: ObjectClient.apply, a server-side apply (PATCH), which creates
    // the object when it does not exist yet.
    calls.push({ ...res, verb: 'patch', why: `server-side apply of ${what}` });
    calls.push({ ...res, verb: 'create', why: `server-side apply of ${what} when it does not exist yet` });
    if (k.prune === 'label') {
      // controllers/gateway/prune.ts and finalizer.ts: listByLabel, then remove.
      calls.push({ ...res, verb: 'list', why: `prune and cleanup of ${what}: list by the gateway label` });
      calls.push({ ...res, verb: 'delete', why: `prune and cleanup of ${what}: delete` });
    }
    if (k.prune === 'name') {
      // controllers/gateway/prune.ts pruneSecretCopies and finalizer.ts: remove by name, never listed.
      calls.push({ ...res, verb: 'delete', why: `prune and cleanup of ${what}: delete by name` });
    }
  }
  const watched = kinds.find(
    (k) => k.apiVersion === MEMBER_WATCHED_KIND.apiVersion && k.kind === MEMBER_WATCHED_KIND.kind,
  );
  if (!watched) throw new Error(`${MEMBER_WATCHED_KIND.kind} is watched on members but not a managed kind`);
  for (const verb of ['list', 'watch'] as const) {
    calls.push({
      group: groupOf(watched.apiVersion),
      resource: watched.plural,
      verb,
      scope: 'cluster',
      why: `controllers/members/member-workloads.ts: ${watched.kind} informer (readiness of placements)`,
    });
  }
  calls.push({
    group: '',
    resource: 'nodes',
    verb: 'list',
    scope: 'cluster',
    why: 'members/probe.ts fetchMemberInfo: GET /api/v1/nodes (node counts)',
  });
  for (const u of MEMBER_PROBE_URLS) calls.push({ nonResourceURL: u.url, verb: 'get', why: u.why });
  return calls;
}

function hubCalls(): Permission[] {
  const calls: Permission[] = [];
  for (const w of Object.values(HUB_WATCHED_KINDS)) {
    for (const verb of ['list', 'watch'] as const) {
      calls.push({
        group: groupOf(w.apiVersion),
        resource: w.plural,
        verb,
        scope: w.operatorNamespaceOnly ? 'operator-namespace' : 'cluster',
        why: `controllers/hub-informers.ts: ${w.kind} informer`,
      });
    }
  }
  // ObjectClient.applyStatus (server-side apply of the status subresource = PATCH) of every
  // paygrid kind: members/member-controller.ts (EdgeSite, CloudCluster), gateway-controller.ts
  // and gateway/move.ts (PaymentGateway).
  for (const kind of Object.keys(KINDS) as Kind[]) {
    calls.push({
      group: groupOf(API_VERSION),
      resource: `${PLURALS[kind]}/status`,
      verb: 'patch',
      scope: 'cluster',
      why: `${kind} status: ObjectClient.applyStatus`,
    });
  }
  calls.push({
    group: GROUP,
    resource: PLURALS.PaymentGateway,
    verb: 'patch',
    scope: 'cluster',
    why: 'controllers/gateway/finalizer.ts: merge patch of metadata.finalizers (and gateway/move.ts: JSON patch of the move annotation)',
  });
  // controllers/gateway/secrets.ts: GET of the Secrets a gateway's spec names, in its namespace.
  calls.push({
    group: '',
    resource: 'secrets',
    verb: 'get',
    scope: 'cluster',
    why: "controllers/gateway/secrets.ts secretsStep: GET of the Secrets a gateway's spec names (tokenization key, database URLs), in the gateway's namespace",
  });
  // runtime/leader-election.ts KubeLeaseClient: create the Lease once, then read and renew it.
  const lease = { group: 'coordination.k8s.io', resource: 'leases', scope: 'operator-namespace' as const };
  calls.push({ ...lease, verb: 'create', why: 'leader election: KubeLeaseClient.create' });
  for (const verb of ['get', 'update'] as const) {
    calls.push({
      ...lease,
      verb,
      resourceName: LEADER_ELECTION_ID,
      why: `leader election: KubeLeaseClient.${verb}`,
    });
  }
  // runtime/events.ts KubeEventSink: in the gateway's namespace (any) or `default` for members.
  for (const verb of ['create', 'patch'] as const) {
    calls.push({
      group: 'events.k8s.io',
      resource: 'events',
      verb,
      scope: 'cluster',
      why: `runtime/events.ts KubeEventSink: ${verb === 'create' ? 'new Event' : 'series update'}`,
    });
  }
  return calls;
}

/**
 * The in-operator webhook's own calls (manager.ts runOperator). It lists EdgeSites, CloudClusters,
 * PaymentGateways and Secrets from the hub informers (their list and watch are in hubCalls); on
 * a Secret the cache does not hold yet, webhook/caches.ts calls readSecret, a GET of that Secret
 * in the operator's namespace (webhook/secret-reader.ts apiSecretReader). The standalone webhook
 * (webhook/main.ts) is not the chart's: it runs with the kubeconfig it is given.
 */
function webhookCalls(): Permission[] {
  const s = HUB_WATCHED_KINDS.secrets;
  return [
    {
      group: groupOf(s.apiVersion),
      resource: s.plural,
      verb: 'get',
      scope: 'operator-namespace',
      why: 'webhook rule (a), manager.ts: lookupsFromCaches readSecret (webhook/secret-reader.ts) on a Secret cache miss',
    },
  ];
}

/** Every call the operator makes, on the hub (controllers and webhook) and on each member. */
export function requiredCalls(): { hub: Permission[]; member: Permission[] } {
  return { hub: [...hubCalls(), ...webhookCalls()], member: memberCalls() };
}

/** Whether a permission list grants one call. */
export function isGranted(
  call: Permission,
  resources: readonly ResourcePermission[],
  nonResources: readonly NonResourcePermission[],
): boolean {
  if ('nonResourceURL' in call) {
    return nonResources.some(
      (p) => p.nonResourceURL === call.nonResourceURL && (p.verbs as readonly string[]).includes(call.verb),
    );
  }
  return resources.some(
    (p) =>
      p.group === call.group &&
      p.resource === call.resource &&
      p.verbs.includes(call.verb) &&
      // A cluster-wide grant covers a call in the operator's namespace, not the reverse.
      (p.scope === 'cluster' || call.scope === 'operator-namespace') &&
      // A grant limited to names covers only a call on one of those names.
      (p.resourceNames === undefined ||
        (call.resourceName !== undefined && p.resourceNames.includes(call.resourceName))),
  );
}

/** A call as text, e.g. `patch paygrid.io/paymentgateways/status (cluster)` or `get /readyz`. */
export function callText(call: Permission): string {
  if ('nonResourceURL' in call) return `${call.verb} ${call.nonResourceURL}`;
  const res = `${call.group === '' ? 'core' : call.group}/${call.resource}`;
  const name = call.resourceName ? ` [${call.resourceName}]` : '';
  return `${call.verb} ${res}${name} (${call.scope})`;
}

/** Whether one call needs (a verb of) a granted tuple: the exact tuple, as RBAC matches a request. */
export function isUsedBy(grant: PermissionTuple, call: Permission): boolean {
  if ('nonResourceURL' in call) return false;
  return (
    grant.group === call.group &&
    grant.resource === call.resource &&
    grant.verb === call.verb &&
    // A cluster-wide grant is needed only by a call outside the operator's namespace: one made
    // only there would be covered by a Role.
    grant.scope === call.scope &&
    // A grant limited to names is used by a call on one of those names; an unlimited one by a
    // call on any object (a call on one name could have a grant limited to it).
    (grant.names === ''
      ? call.resourceName === undefined
      : call.resourceName !== undefined && grant.names.split(',').includes(call.resourceName))
  );
}

/**
 * The granted tuples no call needs, as text with the grant's reason: permissions beyond least
 * privilege. Non-resource URLs are compared by URL and verb.
 */
export function unused(
  calls: readonly Permission[],
  resources: readonly ResourcePermission[],
  nonResources: readonly NonResourcePermission[] = [],
): string[] {
  const out: string[] = [];
  for (const p of resources) {
    for (const t of permissionTuples([p])) {
      if (!calls.some((c) => isUsedBy(t, c))) out.push(`${tupleKey(t)} — granted for: ${p.why}`);
    }
  }
  for (const p of nonResources) {
    for (const verb of p.verbs) {
      const used = calls.some(
        (c) => 'nonResourceURL' in c && c.nonResourceURL === p.nonResourceURL && c.verb === verb,
      );
      if (!used) out.push(`${verb} ${p.nonResourceURL} — granted for: ${p.why}`);
    }
  }
  return out;
}

/** The calls a permission list does not grant, as text with the code that makes them. */
export function ungranted(
  calls: readonly Permission[],
  resources: readonly ResourcePermission[],
  nonResources: readonly NonResourcePermission[] = [],
): string[] {
  return calls
    .filter((c) => !isGranted(c, resources, nonResources))
    .map((c) => `${callText(c)} — needed by ${c.why}`);
}

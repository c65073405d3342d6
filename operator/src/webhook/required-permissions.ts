// Every Kubernetes API permission paygrid's code needs, with the code that needs it: on the hub
// (granted by the chart's RBAC templates, charts/paygrid/templates/rbac.yaml) and on each member
// (charts/paygrid/member-rbac.yaml). Three unit tests hold them to the code and the chart:
// - controllers/required-calls.test.ts derives the calls the code makes
//   (controllers/required-calls.ts) and fails when one is not granted here, or when something
//   granted here is called by no code;
// - webhook/chart.test.ts renders the chart and fails when it grants something not listed here
//   or misses something listed here;
// - webhook/chart-readme.test.ts fails when the chart README's tables are not permissionsTable()
//   of these lists.
// A permission the code starts to use must be added here, with its reason, and to the chart.
//
// Verbs follow RBAC: get, list, watch, create, update, patch, delete. A server-side apply is a
// `patch`, plus `create` when the object may not exist yet.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/**
 * Where a permission applies:
 * - `cluster`: every namespace (ClusterRole + ClusterRoleBinding);
 * - `operator-namespace`: only the namespace the operator is installed in (Role + RoleBinding).
 */
export type Scope = 'cluster' | 'operator-namespace';

export interface ResourcePermission {
  /** API group; '' is the core group. */
  readonly group: string;
  /** Resource, with its subresource after a '/', e.g. paymentgateways/status. */
  readonly resource: string;
  readonly verbs: readonly Verb[];
  readonly scope: Scope;
  /** Restricts the verbs to these object names (placeholders in <angle brackets> are chart values). */
  readonly resourceNames?: readonly string[];
  /** Which code needs it, and why. */
  readonly why: string;
}

export interface NonResourcePermission {
  readonly nonResourceURL: string;
  readonly verbs: readonly ['get'];
  readonly why: string;
}

/** Placeholder for the leader election Lease name (chart value operator.leaderElectionId). */
export const LEADER_ELECTION_ID = '<leader-election-id>';

/** What the operator does on the hub, as the chart's ServiceAccount. */
export const HUB_PERMISSIONS: readonly ResourcePermission[] = [
  // Informers (runtime/informer.ts) list and watch every paygrid resource; everything reads
  // them from those caches (no GET of a paygrid object).
  {
    group: 'paygrid.io',
    resource: 'edgesites',
    verbs: ['list', 'watch'],
    scope: 'cluster',
    why: 'EdgeSite informer (controllers/hub-informers.ts)',
  },
  {
    group: 'paygrid.io',
    resource: 'cloudclusters',
    verbs: ['list', 'watch'],
    scope: 'cluster',
    why: 'CloudCluster informer (controllers/hub-informers.ts)',
  },
  {
    group: 'paygrid.io',
    resource: 'paymentgateways',
    verbs: ['list', 'watch', 'patch'],
    scope: 'cluster',
    why: 'PaymentGateway informer (list, watch); patch adds and removes the paygrid.io/cleanup finalizer (controllers/gateway/finalizer.ts: a merge patch of metadata.finalizers) and removes a move request annotation once acted on (controllers/gateway/move.ts: a JSON patch)',
  },
  // Status writes: server-side apply of the status subresource (ObjectClient.applyStatus), a
  // PATCH; status is never replaced (no update).
  {
    group: 'paygrid.io',
    resource: 'edgesites/status',
    verbs: ['patch'],
    scope: 'cluster',
    why: 'EdgeSite status: conditions, probe results, version, nodes (controllers/members/member-controller.ts: server-side apply of status)',
  },
  {
    group: 'paygrid.io',
    resource: 'cloudclusters/status',
    verbs: ['patch'],
    scope: 'cluster',
    why: 'CloudCluster status, as for EdgeSites',
  },
  {
    group: 'paygrid.io',
    resource: 'paymentgateways/status',
    verbs: ['patch'],
    scope: 'cluster',
    why: 'PaymentGateway status: conditions, placements, routes, epoch (controllers/gateway/gateway-controller.ts and gateway/move.ts: server-side apply of status)',
  },
  // The Secrets a gateway's spec names (tokenizationKeySecretRef, databaseSecretRef), copied to
  // the members that run the component. GET only: no list or watch, so the operator reads no
  // Secret it was not pointed at.
  {
    group: '',
    resource: 'secrets',
    verbs: ['get'],
    scope: 'cluster',
    why: "the Secrets a PaymentGateway names (spec.authorization.tokenizationKeySecretRef, spec.ledger.databaseSecretRef, spec.analytics.databaseSecretRef), read by name in the gateway's namespace and copied to the members that run the component (controllers/gateway/secrets.ts); get only, never list or watch",
  },
  // The operator's own namespace.
  {
    group: '',
    resource: 'secrets',
    verbs: ['list', 'watch'],
    scope: 'operator-namespace',
    why: 'member kubeconfigs (members/kubeconfig.ts): Secret informer (controllers/hub-informers.ts), so member clients are rebuilt when a Secret changes and the webhook reads them from memory (rule a)',
  },
  {
    group: '',
    resource: 'secrets',
    verbs: ['get'],
    scope: 'operator-namespace',
    why: 'the webhook (rule a) reads a kubeconfig Secret its cache does not hold yet, e.g. one applied together with the EdgeSite naming it (webhook/caches.ts readSecret = webhook/secret-reader.ts apiSecretReader)',
  },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['create'],
    scope: 'operator-namespace',
    why: 'leader election creates its Lease the first time (runtime/leader-election.ts KubeLeaseClient.create; create cannot be limited by name)',
  },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'update'],
    scope: 'operator-namespace',
    resourceNames: [LEADER_ELECTION_ID],
    why: 'leader election reads and renews its own Lease only (KubeLeaseClient.get / update)',
  },
  // Events (runtime/events.ts KubeEventSink: create, and patch to update an aggregated
  // series) are written where kubectl describe looks for them: in the namespace of the object
  // they are about (a PaymentGateway's, which can be any namespace), and in `default` for the
  // cluster-scoped EdgeSites and CloudClusters, as client-go does. Hence cluster-wide; Events
  // can only be written, never read, with this.
  {
    group: 'events.k8s.io',
    resource: 'events',
    verbs: ['create', 'patch'],
    scope: 'cluster',
    why: "runtime/events.ts KubeEventSink: Events go where kubectl describe looks, a gateway's in the gateway's namespace (any namespace), an EdgeSite's or CloudCluster's in default; patch updates an aggregated series. Write-only: no Event can be read with this",
  },
];

/** What the operator does on each member cluster, as the identity in the member's kubeconfig. */
export const MEMBER_PERMISSIONS: readonly ResourcePermission[] = [
  {
    group: '',
    resource: 'namespaces',
    verbs: ['create', 'patch'],
    scope: 'cluster',
    why: "server-side apply of the gateway's namespace (render/namespace.ts, controllers/gateway/apply.ts); never deleted (controllers/gateway/finalizer.ts): several gateways share it and it may hold other things",
  },
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    verbs: ['list', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: 'server-side apply of default-deny, DNS and per-component policies (render/networkPolicies.ts); list + delete prune by the paygrid.io/gateway label',
  },
  {
    group: '',
    resource: 'serviceaccounts',
    verbs: ['list', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: "server-side apply of each component's ServiceAccount (render/serviceAccount.ts); list + delete prune",
  },
  {
    group: '',
    resource: 'configmaps',
    verbs: ['list', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: 'server-side apply of component configuration (render/configMap.ts); list + delete prune',
  },
  {
    group: '',
    resource: 'secrets',
    verbs: ['create', 'patch', 'delete'],
    scope: 'cluster',
    why: "server-side apply of each component's copy of the Secret its gateway names (render/secrets.ts); deleted by name (controllers/gateway/prune.ts, finalizer.ts): never get, list or watch, so no Secret of the member can be read",
  },
  {
    group: '',
    resource: 'services',
    verbs: ['list', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: 'server-side apply of component Services (render/service.ts); list + delete prune',
  },
  {
    group: 'apps',
    resource: 'deployments',
    verbs: ['list', 'watch', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: 'server-side apply of component Deployments (render/deployment.ts); list + watch by controllers/members/member-workloads.ts for the readiness of placements; list + delete prune',
  },
  {
    group: 'policy',
    resource: 'poddisruptionbudgets',
    verbs: ['list', 'create', 'patch', 'delete'],
    scope: 'cluster',
    why: 'server-side apply of component PodDisruptionBudgets (render/podDisruptionBudget.ts); list + delete prune',
  },
  {
    group: '',
    resource: 'nodes',
    verbs: ['list'],
    scope: 'cluster',
    why: "node counts (total, Ready) in the member's status (members/probe.ts fetchMemberInfo: GET /api/v1/nodes)",
  },
];

/** Non-resource URLs each member must let the operator read. */
export const MEMBER_NON_RESOURCE_PERMISSIONS: readonly NonResourcePermission[] = [
  {
    nonResourceURL: '/readyz',
    verbs: ['get'],
    why: 'health probe of the member (members/probe.ts probeReadyz)',
  },
  {
    nonResourceURL: '/healthz',
    verbs: ['get'],
    why: 'fallback health probe for a member whose apiserver answers /readyz with 404 (members/probe.ts probeReadyz)',
  },
  {
    nonResourceURL: '/version',
    verbs: ['get'],
    why: 'Kubernetes version and distribution (K3s) in the member status (members/probe.ts fetchMemberInfo)',
  },
];

/** One (group, resource, verb) a permission grants, where, and on which names. */
export interface PermissionTuple {
  readonly group: string;
  readonly resource: string;
  readonly verb: Verb;
  readonly scope: Scope;
  /** Comma-joined sorted names, '' for every object. */
  readonly names: string;
}

/** The tuples of a permission list, sorted; the form tests compare. */
export function permissionTuples(perms: readonly ResourcePermission[]): PermissionTuple[] {
  const out = perms.flatMap((p) =>
    p.verbs.map((verb) => ({
      group: p.group,
      resource: p.resource,
      verb,
      scope: p.scope,
      names: [...(p.resourceNames ?? [])].sort().join(','),
    })),
  );
  return out.sort((a, b) => tupleKey(a).localeCompare(tupleKey(b)));
}

/** A stable text form of a tuple, e.g. `cluster paygrid.io/edgesites list`. */
export function tupleKey(t: PermissionTuple): string {
  const res = `${t.group === '' ? 'core' : t.group}/${t.resource}`;
  return `${t.scope} ${res} ${t.verb}${t.names ? ` [${t.names}]` : ''}`;
}

/** How the chart README names each placeholder of a resource name: the chart value it comes from. */
const PLACEHOLDER_VALUES: Readonly<Record<string, string>> = {
  [LEADER_ELECTION_ID]: 'operator.leaderElectionId',
};

const SCOPE_TEXT: Readonly<Record<Scope, string>> = {
  cluster: 'cluster-wide',
  'operator-namespace': 'release namespace only',
};

/**
 * Markdown table of a permission list and its non-resource URLs, one row per entry in list
 * order: the chart README's RBAC tables are exactly this (webhook/chart-readme.test.ts).
 */
export function permissionsTable(
  perms: readonly ResourcePermission[],
  nonResources: readonly NonResourcePermission[] = [],
): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = perms.map((p) => {
    const res = `${p.group === '' ? '' : `${p.group}/`}${p.resource}`;
    const names = p.resourceNames
      ? ` (only ${p.resourceNames.map((n) => `\`${PLACEHOLDER_VALUES[n] ?? n}\``).join(', ')})`
      : '';
    return `| ${res}${names} | ${p.verbs.join(', ')} | ${SCOPE_TEXT[p.scope]} | ${cell(p.why)} |`;
  });
  const urls = nonResources.map(
    (p) =>
      `| nonResourceURL \`${p.nonResourceURL}\` | ${p.verbs.join(', ')} | cluster-wide | ${cell(p.why)} |`,
  );
  return ['| resource | verbs | where | why |', '| --- | --- | --- | --- |', ...rows, ...urls].join('\n');
}

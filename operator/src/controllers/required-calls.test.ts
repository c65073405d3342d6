// Every API call the operator makes (derived from the code's declarations in required-calls.ts)
// is granted by webhook/required-permissions.ts, which chart.test.ts holds equal to the chart's
// RBAC, and every permission granted there is needed by one of those calls: a kind or call added
// to the code without its permission fails here, naming it, and so does a grant no code calls.
import { managedKinds } from '../render/index.js';
import {
  HUB_PERMISSIONS,
  LEADER_ELECTION_ID,
  MEMBER_NON_RESOURCE_PERMISSIONS,
  MEMBER_PERMISSIONS,
  type ResourcePermission,
} from '../webhook/required-permissions.js';
import { HUB_WATCHED_KINDS } from './hub-informers.js';
import {
  callText,
  groupOf,
  isGranted,
  requiredCalls,
  ungranted,
  unused,
  type Permission,
  type ResourceCall,
} from './required-calls.js';

const texts = (calls: readonly Permission[]) => calls.map(callText);

/** A call and a grant on paymentgateways, varied per test. */
const call = (extra: Partial<ResourceCall> = {}): ResourceCall => ({
  group: 'paygrid.io',
  resource: 'paymentgateways',
  verb: 'patch',
  scope: 'cluster',
  why: 'a test',
  ...extra,
});
const grant = (extra: Partial<ResourcePermission> = {}): ResourcePermission => ({
  group: 'paygrid.io',
  resource: 'paymentgateways',
  verbs: ['patch'],
  scope: 'cluster',
  why: 'a test',
  ...extra,
});

describe('requiredCalls', () => {
  const { hub, member } = requiredCalls();

  it('are granted on the hub by HUB_PERMISSIONS', () => {
    expect(ungranted(hub, HUB_PERMISSIONS)).toEqual([]);
  });

  it('are granted on each member by MEMBER_PERMISSIONS and MEMBER_NON_RESOURCE_PERMISSIONS', () => {
    expect(ungranted(member, MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS)).toEqual([]);
  });

  it('use everything HUB_PERMISSIONS grants: no grant is made for code that does not call it', () => {
    expect(unused(hub, HUB_PERMISSIONS)).toEqual([]);
  });

  it('use everything MEMBER_PERMISSIONS and MEMBER_NON_RESOURCE_PERMISSIONS grant', () => {
    expect(unused(member, MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS)).toEqual([]);
  });

  it('follow render/order.ts: apply (patch, create) of every managed kind, list and delete of pruned ones', () => {
    const m = texts(member);
    for (const k of managedKinds()) {
      const res = `${groupOf(k.apiVersion) || 'core'}/${k.plural}`;
      expect(m).toEqual(expect.arrayContaining([`patch ${res} (cluster)`, `create ${res} (cluster)`]));
      // Pruned by label: listed, then deleted; by name (Secrets): deleted, never listed; Namespaces
      // are shared by gateways: never listed for pruning nor deleted.
      if (k.prune === 'label') expect(m).toContain(`list ${res} (cluster)`);
      else expect(m).not.toContain(`list ${res} (cluster)`);
      if (k.prune) expect(m).toContain(`delete ${res} (cluster)`);
      else expect(m).not.toContain(`delete ${res} (cluster)`);
    }
    expect(m).toEqual(
      expect.arrayContaining([
        'watch apps/deployments (cluster)',
        'list core/nodes (cluster)',
        'get /readyz',
        'get /version',
      ]),
    );
  });

  it('follow hub-informers.ts: list and watch of every informer, Secrets only in the operator namespace', () => {
    const h = texts(hub);
    for (const w of Object.values(HUB_WATCHED_KINDS)) {
      const scope = w.kind === 'Secret' ? 'operator-namespace' : 'cluster';
      const res = `${groupOf(w.apiVersion) || 'core'}/${w.plural}`;
      expect(h).toEqual(expect.arrayContaining([`list ${res} (${scope})`, `watch ${res} (${scope})`]));
    }
    expect(h).toEqual(
      expect.arrayContaining([
        'patch paygrid.io/edgesites/status (cluster)',
        'patch paygrid.io/cloudclusters/status (cluster)',
        'patch paygrid.io/paymentgateways/status (cluster)',
        'patch paygrid.io/paymentgateways (cluster)',
        'create coordination.k8s.io/leases (operator-namespace)',
        `get coordination.k8s.io/leases [${LEADER_ELECTION_ID}] (operator-namespace)`,
        `update coordination.k8s.io/leases [${LEADER_ELECTION_ID}] (operator-namespace)`,
        'create events.k8s.io/events (cluster)',
        'patch events.k8s.io/events (cluster)',
      ]),
    );
  });

  it("include the in-operator webhook's GET of a Secret its cache does not hold yet, only in the operator namespace", () => {
    const h = texts(hub);
    expect(h).toContain('get core/secrets (operator-namespace)');
  });

  it("include the GET of the Secrets a gateway names, in its namespace, and no read of a member's Secret", () => {
    expect(texts(hub)).toContain('get core/secrets (cluster)');
    expect(texts(hub)).not.toContain('list core/secrets (cluster)');
    const m = texts(member);
    for (const verb of ['get', 'list', 'watch']) expect(m).not.toContain(`${verb} core/secrets (cluster)`);
  });

  it('never GET or update a paygrid resource: informer caches are read, writes are patches', () => {
    const paygrid = hub.filter(
      (c): c is ResourceCall => !('nonResourceURL' in c) && c.group === 'paygrid.io',
    );
    expect(paygrid.filter((c) => !['list', 'watch', 'patch'].includes(c.verb)).map(callText)).toEqual([]);
  });

  it('say which code makes each call', () => {
    for (const c of [...hub, ...member]) expect(c.why).not.toBe('');
  });
});

describe('ungranted', () => {
  it('reports a fabricated extra call the code would make, naming group, resource, verb and why', () => {
    const extra = call({ group: 'apps', resource: 'statefulsets', verb: 'create', why: 'imaginary.ts' });
    const { member } = requiredCalls();
    const before = ungranted(member, MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS);
    expect(ungranted([...member, extra], MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS)).toEqual([
      ...before,
      'create apps/statefulsets (cluster) — needed by imaginary.ts',
    ]);
  });

  it('reports a call whose permission was removed from the list', () => {
    const { hub } = requiredCalls();
    const without = HUB_PERMISSIONS.filter((p) => p.resource !== 'paymentgateways/status');
    expect(ungranted(hub, without)).toEqual([
      ...ungranted(hub, HUB_PERMISSIONS),
      'patch paygrid.io/paymentgateways/status (cluster) — needed by PaymentGateway status: ObjectClient.applyStatus',
    ]);
  });

  it('reports a non-resource URL that is not granted', () => {
    const probe: Permission = { nonResourceURL: '/livez', verb: 'get', why: 'a test' };
    expect(ungranted([probe], [], MEMBER_NON_RESOURCE_PERMISSIONS)).toEqual([
      'get /livez — needed by a test',
    ]);
    expect(isGranted({ ...probe, nonResourceURL: '/version' }, [], MEMBER_NON_RESOURCE_PERMISSIONS)).toBe(
      true,
    );
  });

  it('needs the same group, resource and verb', () => {
    expect(isGranted(call(), [grant()], [])).toBe(true);
    expect(isGranted(call({ verb: 'delete' }), [grant()], [])).toBe(false);
    expect(isGranted(call({ group: 'paygrid.example' }), [grant()], [])).toBe(false);
    // A subresource is a resource of its own in RBAC.
    expect(isGranted(call({ resource: 'paymentgateways/status' }), [grant()], [])).toBe(false);
  });

  it('lets a cluster-wide grant cover a call in the operator namespace, not the reverse', () => {
    expect(isGranted(call({ scope: 'operator-namespace' }), [grant()], [])).toBe(true);
    expect(isGranted(call(), [grant({ scope: 'operator-namespace' })], [])).toBe(false);
  });

  it('lets a grant limited to names cover only calls on those names', () => {
    const named = grant({ resourceNames: ['lease-a'] });
    expect(isGranted(call({ resourceName: 'lease-a' }), [named], [])).toBe(true);
    expect(isGranted(call({ resourceName: 'lease-b' }), [named], [])).toBe(false);
    // create (and list) cannot be limited by name: a named grant never covers an unnamed call.
    expect(isGranted(call(), [named], [])).toBe(false);
    expect(isGranted(call({ resourceName: 'lease-b' }), [grant()], [])).toBe(true);
  });
});

describe('unused', () => {
  const { hub, member } = requiredCalls();

  it('reports a spurious grant, naming its scope, group, resource, verb and reason', () => {
    const spurious = grant({
      resource: 'edgesites',
      verbs: ['get', 'list'],
      why: 'reads that bypass the cache',
    });
    expect(unused(hub, [...HUB_PERMISSIONS, spurious])).toEqual([
      'cluster paygrid.io/edgesites get — granted for: reads that bypass the cache',
    ]);
    const url = { nonResourceURL: '/livez', verbs: ['get'] as ['get'], why: 'a test' };
    expect(unused(member, MEMBER_PERMISSIONS, [...MEMBER_NON_RESOURCE_PERMISSIONS, url])).toEqual([
      'get /livez — granted for: a test',
    ]);
  });

  it('reports each grant the audit removed, were it granted again', () => {
    const removed = [
      grant({ resource: 'edgesites', verbs: ['get'] }),
      grant({ resource: 'cloudclusters', verbs: ['get'] }),
      grant({ resource: 'paymentgateways', verbs: ['get'] }),
      grant({ resource: 'edgesites/status', verbs: ['update'] }),
      grant({ resource: 'cloudclusters/status', verbs: ['update'] }),
      grant({ resource: 'paymentgateways/status', verbs: ['update'] }),
      grant({ resource: 'paymentgateways/finalizers', verbs: ['update'] }),
    ];
    expect(unused(hub, [...HUB_PERMISSIONS, ...removed])).toEqual([
      'cluster paygrid.io/edgesites get — granted for: a test',
      'cluster paygrid.io/cloudclusters get — granted for: a test',
      'cluster paygrid.io/paymentgateways get — granted for: a test',
      'cluster paygrid.io/edgesites/status update — granted for: a test',
      'cluster paygrid.io/cloudclusters/status update — granted for: a test',
      'cluster paygrid.io/paymentgateways/status update — granted for: a test',
      'cluster paygrid.io/paymentgateways/finalizers update — granted for: a test',
    ]);
  });

  it('reports a grant whose call the code stopped making', () => {
    const withoutWebhook = hub.filter((c) => callText(c) !== 'get core/secrets (operator-namespace)');
    expect(unused(withoutWebhook, HUB_PERMISSIONS)).toEqual([
      expect.stringMatching(/^operator-namespace core\/secrets get — granted for: the webhook \(rule a\)/),
    ]);
  });

  it('counts a grant limited to names as used by a call on one of them, and only so', () => {
    const named = grant({ resourceNames: [LEADER_ELECTION_ID] });
    expect(unused([call({ resourceName: LEADER_ELECTION_ID })], [named])).toEqual([]);
    expect(unused([call({ resourceName: 'other' })], [named])).toHaveLength(1);
    expect(unused([call()], [named])).toHaveLength(1);
    // A grant on every object is broader than a call on one name needs.
    expect(unused([call({ resourceName: LEADER_ELECTION_ID })], [grant()])).toHaveLength(1);
  });

  it('reports a cluster-wide grant needed only in the operator namespace (a Role would do)', () => {
    expect(unused([call({ scope: 'operator-namespace' })], [grant()])).toEqual([
      'cluster paygrid.io/paymentgateways patch — granted for: a test',
    ]);
    expect(unused([call({ scope: 'operator-namespace' })], [grant({ scope: 'operator-namespace' })])).toEqual(
      [],
    );
  });

  it('needs the same group, resource and verb; a subresource is its own resource', () => {
    expect(unused([call()], [grant()])).toEqual([]);
    expect(unused([call({ verb: 'list' })], [grant()])).toHaveLength(1);
    expect(unused([call({ group: 'paygrid.example' })], [grant()])).toHaveLength(1);
    expect(unused([call({ resource: 'paymentgateways/status' })], [grant()])).toHaveLength(1);
  });
});

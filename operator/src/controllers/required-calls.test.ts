// Every API call the controllers make (derived from the code's declarations in required-calls.ts)
// is granted by webhook/required-permissions.ts, which chart.test.ts holds equal to the chart's
// RBAC: a kind or call added to the code without its permission fails here, naming it.
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
  type Permission,
  type ResourceCall,
} from './required-calls.js';

const texts = (calls: readonly Permission[]) => calls.map(callText);

describe('requiredCalls', () => {
  const { hub, member } = requiredCalls();

  it('are granted on the hub by HUB_PERMISSIONS', () => {
    expect(ungranted(hub, HUB_PERMISSIONS)).toEqual([]);
  });

  it('are granted on each member by MEMBER_PERMISSIONS and MEMBER_NON_RESOURCE_PERMISSIONS', () => {
    expect(ungranted(member, MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS)).toEqual([]);
  });

  it('follow render/order.ts: apply (patch, create) of every managed kind, list and delete of pruned ones', () => {
    const m = texts(member);
    for (const k of managedKinds()) {
      const res = `${groupOf(k.apiVersion) || 'core'}/${k.plural}`;
      expect(m).toEqual(expect.arrayContaining([`patch ${res} (cluster)`, `create ${res} (cluster)`]));
      for (const verb of ['list', 'delete']) {
        if (k.prune) expect(m).toContain(`${verb} ${res} (cluster)`);
        // Namespaces are shared by gateways: never listed for pruning nor deleted.
        else expect(m).not.toContain(`${verb} ${res} (cluster)`);
      }
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

  it('say which code makes each call', () => {
    for (const c of [...hub, ...member]) expect(c.why).not.toBe('');
  });
});

describe('ungranted', () => {
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

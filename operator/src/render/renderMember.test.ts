import type {
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1Namespace,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Placement } from '../api/index.js';
import { gateway, placement } from '../placement/testSupport.js';
import { CONFIG_KEYS, configHash } from './config.js';
import type { RenderContext } from './context.js';
import { CONFIG_HASH_ANNOTATION } from './deployment.js';
import { pruneLabelSelector } from './labels.js';
import { RenderError } from './names.js';
import { applyStages, managedKinds, sortForApply, sortForDeletion } from './order.js';
import { renderMember } from './renderMember.js';
import { SECRET_VERSION_ANNOTATION } from './secrets.js';

const EDGE: RenderContext = {
  member: { name: 'edge-a', kind: 'EdgeSite', region: 'eu-west', zone: 'eu-west-a' },
  epoch: 7,
  ledgerEndpoint: 'https://ledger.pay.example.com:8443',
  secrets: new Map([['authorization', { value: 'a2V5LWJ5dGVz', version: 'uid-1/42' }]]),
};
const CLOUD: RenderContext = {
  member: { name: 'cloud-a', kind: 'CloudCluster', region: 'eu-central' },
  epoch: 7,
};

const makeGateway = (floorLimitMinor: number) =>
  gateway({
    authorization: {
      replicas: 3,
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: 1, memory: '512Mi' } },
      standIn: { floorLimitMinor, currency: 'USD' },
      tokenizationKeySecretRef: { name: 'card-key' },
    },
    ledger: { primary: 'cloud-a', replicas: 1, databaseSecretRef: { name: 'ledger-db' } },
    analytics: { image: 'ghcr.io/paygrid/analytics:0.1.0' },
  });
const gw = makeGateway(2500);
const authPlacement = placement('authorization', 'edge-a', 'Active', { replicas: 3 });
const cloudPlacements = [
  placement('ledger', 'cloud-a', 'Active', { replicas: 1 }),
  placement('analytics', 'cloud-a', 'Active', { replicas: 1 }),
];
const all: Placement[] = [authPlacement, placement('authorization', 'edge-b', 'Active'), ...cloudPlacements];

function find<T extends KubernetesObject>(
  objects: readonly KubernetesObject[],
  kind: string,
  name?: string,
): T {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found as T;
}

const WORKLOAD_LABELS = (component: string) => ({
  'app.kubernetes.io/name': component,
  'app.kubernetes.io/instance': 'checkout',
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': 'paygrid',
  'app.kubernetes.io/managed-by': 'paygrid',
  'paygrid.io/gateway': 'payments.checkout',
  'paygrid.io/component': component,
});

describe('renderMember', () => {
  const edgeObjects = renderMember(gw, all, EDGE);
  const cloudObjects = renderMember(gw, all, CLOUD);

  it('renders the namespace, shared policies and one set of objects per component placed there', () => {
    expect(edgeObjects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/payments',
      'NetworkPolicy/checkout-allow-dns',
      'NetworkPolicy/checkout-authorization',
      'NetworkPolicy/checkout-default-deny',
      'ServiceAccount/checkout-authorization',
      'ConfigMap/checkout-authorization',
      'Secret/checkout-authorization-tokenization',
      'Service/checkout-authorization',
      'Deployment/checkout-authorization',
      'PodDisruptionBudget/checkout-authorization',
    ]);
    expect(cloudObjects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata?.name)).toEqual([
      'checkout-analytics',
      'checkout-ledger',
    ]);
    expect(cloudObjects.filter((o) => o.kind === 'Namespace')).toHaveLength(1);
  });

  it('sets apiVersion and kind on every object, all of managed kinds, namespaced ones in the gateway namespace', () => {
    const kinds = managedKinds();
    for (const o of [...edgeObjects, ...cloudObjects]) {
      const k = kinds.find((x) => x.kind === o.kind && x.apiVersion === o.apiVersion);
      expect(k).toBeDefined();
      expect(o.metadata?.namespace).toBe(k?.namespaced ? 'payments' : undefined);
    }
  });

  it('labels every object', () => {
    for (const o of [...edgeObjects, ...cloudObjects]) {
      const labels = o.metadata?.labels ?? {};
      expect(labels['app.kubernetes.io/part-of']).toBe('paygrid');
      expect(labels['app.kubernetes.io/managed-by']).toBe('paygrid');
      if (o.kind === 'Namespace') continue;
      expect(labels['paygrid.io/gateway']).toBe('payments.checkout');
      expect(labels['app.kubernetes.io/instance']).toBe('checkout');
      const component = labels['paygrid.io/component'];
      if (component !== undefined) expect(labels).toEqual(WORKLOAD_LABELS(component));
      else expect(o.metadata?.name).toMatch(/^checkout-(default-deny|allow-dns)$/);
    }
    const deployment = find<V1Deployment>(edgeObjects, 'Deployment');
    expect(deployment.spec?.template.metadata?.labels).toEqual(WORKLOAD_LABELS('authorization'));
    expect(deployment.spec?.selector.matchLabels).toEqual({
      'paygrid.io/gateway': 'payments.checkout',
      'paygrid.io/component': 'authorization',
    });
  });

  it('enforces the restricted pod security standard on the namespace', () => {
    const ns = find<V1Namespace>(edgeObjects, 'Namespace');
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // Shared by all gateways of the namespace: no gateway label, so pruning one gateway never selects it.
    expect(ns.metadata?.labels?.['paygrid.io/gateway']).toBeUndefined();
    expect(managedKinds().find((k) => k.kind === 'Namespace')?.prune).toBe(false);
  });

  it('runs pods with a restricted security context, field by field', () => {
    for (const d of [...edgeObjects, ...cloudObjects].filter(
      (o) => o.kind === 'Deployment',
    ) as V1Deployment[]) {
      const pod = d.spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBe(10001);
      expect(pod?.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod?.automountServiceAccountToken).toBe(false);
      expect(pod?.hostNetwork).toBeUndefined();
      expect(pod?.containers).toHaveLength(1);
      const sc = pod?.containers[0]?.securityContext;
      expect(sc?.runAsNonRoot).toBe(true);
      expect(sc?.runAsUser).toBe(10001);
      expect(sc?.readOnlyRootFilesystem).toBe(true);
      expect(sc?.allowPrivilegeEscalation).toBe(false);
      expect(sc?.privileged).toBe(false);
      expect(sc?.capabilities).toEqual({ drop: ['ALL'] });
      expect(sc?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    }
    expect(find<V1ServiceAccount>(edgeObjects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('sets replicas, image, resources, probes, /tmp and the config mount', () => {
    const d = find<V1Deployment>(edgeObjects, 'Deployment');
    expect(d.spec?.replicas).toBe(3);
    const pod = d.spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.image).toBe('ghcr.io/paygrid/authorization:0.1.0');
    expect(c?.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c?.resources).toEqual({
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(c?.startupProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    // The stand-in journal on its own volume, where the service writes it.
    expect(c?.volumeMounts).toContainEqual({ name: 'journal', mountPath: '/var/lib/paygrid/journal' });
    expect(pod?.volumes).toContainEqual({ name: 'journal', emptyDir: { sizeLimit: '256Mi' } });
    expect(c?.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(c?.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/paygrid', readOnly: true });
    expect(pod?.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(pod?.volumes).toContainEqual({ name: 'config', configMap: { name: 'checkout-authorization' } });
    expect(pod?.serviceAccountName).toBe('checkout-authorization');
    expect(pod?.topologySpreadConstraints?.[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      maxSkew: 1,
      labelSelector: { matchLabels: d.spec?.selector.matchLabels },
    });
    expect(d.spec?.strategy?.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it("puts the member's spec.workloads node selector and tolerations on every pod, and nothing without it", () => {
    const workloads = {
      nodeSelector: { 'paygrid.io/node': 'real' },
      tolerations: [
        { key: 'paygrid.io/node', operator: 'Equal' as const, value: 'real', effect: 'NoSchedule' as const },
      ],
    };
    const pinned = renderMember(gw, all, { ...CLOUD, member: { ...CLOUD.member, workloads } });
    const pods = pinned
      .filter((o) => o.kind === 'Deployment')
      .map((o) => (o as V1Deployment).spec?.template.spec);
    expect(pods).toHaveLength(2); // ledger and analytics
    for (const pod of pods) {
      expect(pod?.nodeSelector).toEqual({ 'paygrid.io/node': 'real' });
      expect(pod?.tolerations).toEqual(workloads.tolerations);
    }
    // A copy, not the member's own objects: the rendered Deployment is later mutated by apply.
    expect(pods[0]?.tolerations?.[0]).not.toBe(workloads.tolerations[0]);
    for (const o of [
      ...cloudObjects,
      ...renderMember(gw, all, { ...EDGE, member: { ...EDGE.member, workloads: {} } }),
    ]) {
      if (o.kind !== 'Deployment') continue;
      expect((o as V1Deployment).spec?.template.spec).not.toHaveProperty('nodeSelector');
      expect((o as V1Deployment).spec?.template.spec).not.toHaveProperty('tolerations');
    }
  });

  it('defaults resources for components without a resources field', () => {
    const ledger = find<V1Deployment>(cloudObjects, 'Deployment', 'checkout-ledger');
    const c = ledger.spec?.template.spec?.containers[0];
    expect(c?.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  it('copies only the named key of the hub Secret, under the file name the service reads, and mounts it read-only', () => {
    const copy = find<V1Secret>(edgeObjects, 'Secret');
    expect(copy.metadata?.name).toBe('checkout-authorization-tokenization');
    expect(copy.metadata?.labels).toEqual(WORKLOAD_LABELS('authorization'));
    expect(copy.data).toEqual({ key: 'a2V5LWJ5dGVz' });
    const d = find<V1Deployment>(edgeObjects, 'Deployment');
    expect(d.spec?.template.spec?.volumes).toContainEqual({
      name: 'tokenization',
      secret: { secretName: 'checkout-authorization-tokenization', defaultMode: 0o440 },
    });
    expect(d.spec?.template.spec?.containers[0]?.volumeMounts).toContainEqual({
      name: 'tokenization',
      mountPath: '/var/run/secrets/paygrid/tokenization',
      readOnly: true,
    });
    // A change of the hub Secret rolls the pods: its version, not a hash of the value, is on the template.
    expect(d.spec?.template.metadata?.annotations?.[SECRET_VERSION_ANNOTATION]).toBe('uid-1/42');
    expect(JSON.stringify(d)).not.toContain('a2V5LWJ5dGVz');
    // The ledger names a Secret that was not read (CLOUD has none): the Deployment mounts the copy's
    // name, no copy is rendered, no version is stamped; analytics names none and mounts none.
    const ledger = find<V1Deployment>(cloudObjects, 'Deployment', 'checkout-ledger');
    expect(ledger.spec?.template.spec?.volumes).toContainEqual({
      name: 'database',
      secret: { secretName: 'checkout-ledger-database', defaultMode: 0o440 },
    });
    expect(ledger.spec?.template.spec?.containers[0]?.volumeMounts).toContainEqual({
      name: 'database',
      mountPath: '/var/run/secrets/paygrid/database',
      readOnly: true,
    });
    expect(ledger.spec?.template.metadata?.annotations?.[SECRET_VERSION_ANNOTATION]).toBeUndefined();
    expect(cloudObjects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const analytics = find<V1Deployment>(cloudObjects, 'Deployment', 'checkout-analytics');
    expect(analytics.spec?.template.spec?.volumes?.map((v) => v.name)).toEqual(['tmp', 'config']);
    // Only authorization keeps a journal.
    expect(ledger.spec?.template.spec?.volumes?.map((v) => v.name)).not.toContain('journal');
  });

  it('writes member, region, component, stand-in limits, ledger endpoint and epoch into the ConfigMap', () => {
    const cm = find<V1ConfigMap>(edgeObjects, 'ConfigMap');
    expect(cm.data).toEqual({
      component: 'authorization',
      epoch: '7',
      gateway: 'payments/checkout',
      'ledger-endpoint': 'https://ledger.pay.example.com:8443',
      member: 'edge-a',
      'member-kind': 'EdgeSite',
      region: 'eu-west',
      role: 'Active',
      'stand-in-currency': 'USD',
      'stand-in-floor-limit-minor': '2500',
      'stand-in-max-offline-amount-minor': '100000',
      'stand-in-max-offline-count': '100',
      zone: 'eu-west-a',
    });
    // Analytics follows the ledger's feed: it gets the endpoint too; the ledger itself does not.
    const withEndpoint = renderMember(gw, all, {
      ...CLOUD,
      ledgerEndpoint: 'https://ledger.pay.example.com:8443',
    });
    expect(find<V1ConfigMap>(withEndpoint, 'ConfigMap', 'checkout-analytics').data?.['ledger-endpoint']).toBe(
      'https://ledger.pay.example.com:8443',
    );
    expect(
      find<V1ConfigMap>(withEndpoint, 'ConfigMap', 'checkout-ledger').data?.['ledger-endpoint'],
    ).toBeUndefined();
    const ledgerCm = find<V1ConfigMap>(cloudObjects, 'ConfigMap', 'checkout-ledger');
    expect(ledgerCm.data?.[CONFIG_KEYS.standInCurrency]).toBeUndefined();
    expect(ledgerCm.data?.[CONFIG_KEYS.epoch]).toBe('7');
  });

  it('rolls pods on a config change, but fences without a restart on an epoch bump, a role change or a ledger move', () => {
    const hashOf = (objects: KubernetesObject[]) =>
      find<V1Deployment>(objects, 'Deployment').spec?.template.metadata?.annotations?.[
        CONFIG_HASH_ANNOTATION
      ];
    const cmOf = (objects: KubernetesObject[]) => find<V1ConfigMap>(objects, 'ConfigMap');
    const base = hashOf(edgeObjects);
    expect(base).toBe(configHash(cmOf(edgeObjects).data ?? {}));
    expect(base).toMatch(/^[0-9a-f]{64}$/);

    const bumped = renderMember(gw, all, { ...EDGE, epoch: 8 });
    expect(cmOf(bumped).data?.epoch).toBe('8');
    expect(hashOf(bumped)).toBe(base);
    // Only the ConfigMap differs: the Deployment (and so its pods) is untouched.
    expect(bumped.filter((o) => o.kind !== 'ConfigMap')).toEqual(
      edgeObjects.filter((o) => o.kind !== 'ConfigMap'),
    );
    const template = JSON.stringify(find<V1Deployment>(bumped, 'Deployment').spec?.template);
    expect(template).not.toMatch(/epoch/i);

    const promoted = renderMember(
      gw,
      [{ ...authPlacement, state: 'FailoverTarget', replacedMember: 'edge-z' }],
      EDGE,
    );
    expect(cmOf(promoted).data?.role).toBe('FailoverTarget');
    expect(cmOf(promoted).data?.['replaced-member']).toBe('edge-z');
    expect(hashOf(promoted)).toBe(base);

    // The slot went home after its stand-in was lost: the home names the Lost stand-in (and any
    // other Lost authorization placement, never itself) so the ledger fences it; still no restart.
    const home = renderMember(
      gw,
      [
        authPlacement,
        { ...authPlacement, member: 'edge-z', state: 'Lost' },
        { ...authPlacement, member: 'edge-y', state: 'Lost', replacedMember: authPlacement.member },
        { ...authPlacement, member: 'edge-x', state: 'Draining' },
      ],
      EDGE,
    );
    expect(cmOf(home).data?.['fenced-members']).toBe('edge-y,edge-z');
    expect(cmOf(edgeObjects).data?.['fenced-members']).toBeUndefined();
    expect(hashOf(home)).toBe(base);

    expect(hashOf(renderMember(makeGateway(1000), all, EDGE))).not.toBe(base);
    // A ledger failover: the new endpoint reaches the running pods; a rollout would delete the
    // stand-in journal (emptyDir) while it holds approvals the ledger has not booked yet.
    const primary = cmOf(edgeObjects).data?.['ledger-endpoint'];
    const moved = renderMember(gw, all, {
      ...EDGE,
      ledgerEndpoint: 'https://other.example.com',
      ...(primary ? { configuredLedgerEndpoint: primary } : {}),
    });
    expect(cmOf(moved).data?.['ledger-endpoint']).toBe('https://other.example.com');
    expect(hashOf(moved)).toBe(base);
    // A new primary in the spec (no configured endpoint to hash in its place) rolls them.
    expect(hashOf(renderMember(gw, all, { ...EDGE, ledgerEndpoint: 'https://other.example.com' }))).not.toBe(
      base,
    );
  });

  it('is deterministic and independent of the order of placements', () => {
    expect(renderMember(gw, all, EDGE)).toEqual(edgeObjects);
    expect(renderMember(gw, [...all].reverse(), CLOUD)).toEqual(cloudObjects);
  });

  it('exposes port 8080 named http on a ClusterIP Service', () => {
    const svc = find<V1Service>(edgeObjects, 'Service');
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual(
      find<V1Deployment>(edgeObjects, 'Deployment').spec?.selector.matchLabels,
    );
  });

  it('uses minAvailable 1 with several replicas and maxUnavailable 1 with one', () => {
    const edgePdb = find<V1PodDisruptionBudget>(edgeObjects, 'PodDisruptionBudget');
    expect(edgePdb.spec?.minAvailable).toBe(1);
    expect(edgePdb.spec?.maxUnavailable).toBeUndefined();
    const ledgerPdb = find<V1PodDisruptionBudget>(cloudObjects, 'PodDisruptionBudget', 'checkout-ledger');
    expect(ledgerPdb.spec?.maxUnavailable).toBe(1);
    expect(ledgerPdb.spec?.minAvailable).toBeUndefined();
  });

  it('denies all traffic by default and allows only DNS and what each component needs', () => {
    const deny = find<V1NetworkPolicy>(edgeObjects, 'NetworkPolicy', 'checkout-default-deny');
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'paygrid.io/gateway': 'payments.checkout' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    const dns = find<V1NetworkPolicy>(edgeObjects, 'NetworkPolicy', 'checkout-allow-dns');
    expect(dns.spec?.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    const auth = find<V1NetworkPolicy>(edgeObjects, 'NetworkPolicy', 'checkout-authorization');
    expect(auth.spec?.podSelector?.matchLabels).toEqual({
      'paygrid.io/gateway': 'payments.checkout',
      'paygrid.io/component': 'authorization',
    });
    expect(auth.spec?.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(auth.spec?.egress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
    expect(auth.spec?.egress?.[0]?.to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0' } },
      { ipBlock: { cidr: '::/0' } },
    ]);
    // A ledger endpoint on the default HTTPS port is allowed too.
    const on443 = renderMember(gw, all, { ...EDGE, ledgerEndpoint: 'https://ledger.pay.example.com' });
    expect(
      find<V1NetworkPolicy>(on443, 'NetworkPolicy', 'checkout-authorization').spec?.egress?.[0]?.ports,
    ).toEqual([
      { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 8443 },
    ]);
    const ledger = find<V1NetworkPolicy>(cloudObjects, 'NetworkPolicy', 'checkout-ledger');
    expect(ledger.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(ledger.spec?.egress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
    // Authorization never reaches a database port; analytics reaches the ledger's feed and its own database.
    expect(auth.spec?.egress?.flatMap((e) => e.ports?.map((p) => p.port))).not.toContain(5432);
    const analytics = find<V1NetworkPolicy>(cloudObjects, 'NetworkPolicy', 'checkout-analytics');
    expect(analytics.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(analytics.spec?.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(analytics.spec?.egress?.[0]?.ports).toEqual([
      { protocol: 'TCP', port: 5432 },
      { protocol: 'TCP', port: 8443 },
    ]);
  });

  it('renders nothing for a member without placements, or for components the spec no longer has', () => {
    expect(renderMember(gw, all, { ...EDGE, member: { ...EDGE.member, name: 'edge-x' } })).toEqual([]);
    expect(renderMember(gw, all, { ...CLOUD, member: { ...CLOUD.member, kind: 'EdgeSite' } })).toEqual([]);
    const noAnalytics = gateway({ ledger: { primary: 'cloud-a' } });
    expect(
      renderMember(noAnalytics, all, CLOUD)
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata?.name),
    ).toEqual(['checkout-ledger']);
  });

  it('refuses names that cannot become Services, saying what to change', () => {
    const long = gateway({ name: 'a'.repeat(50) });
    expect(() => renderMember(long, [authPlacement], EDGE)).toThrow(RenderError);
    expect(() => renderMember(long, [authPlacement], EDGE)).toThrow(/at most 49 characters/);
    expect(() => renderMember(gateway({ name: 'v2.checkout' }), [authPlacement], EDGE)).toThrow(RenderError);
    expect(() => renderMember(gateway({ name: 'a'.repeat(49) }), [authPlacement], EDGE)).not.toThrow();
  });
});

describe('apply order and pruning', () => {
  it('applies the Namespace first and deletes in reverse', () => {
    const objects = renderMember(gw, all, CLOUD);
    const shuffled = [...objects].reverse();
    expect(sortForApply(shuffled)).toEqual(objects);
    expect(sortForApply(shuffled)[0]?.kind).toBe('Namespace');
    const kinds = sortForApply(shuffled).map((o) => o.kind);
    expect(kinds.lastIndexOf('NetworkPolicy')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(sortForDeletion(objects)[0]?.kind).toBe('PodDisruptionBudget');
    expect(sortForDeletion(objects).at(-1)?.kind).toBe('Namespace');
  });

  it('applyStages: the Namespace alone, then what runs nothing, then the Deployment with its PDB', () => {
    const objects = renderMember(gw, all, CLOUD);
    const stages = applyStages([...objects].reverse());
    expect(stages.map((st) => [...new Set(st.map((o) => o.kind))])).toEqual([
      ['Namespace'],
      expect.arrayContaining(['NetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Service']),
      ['Deployment', 'PodDisruptionBudget'],
    ]);
    expect(stages.flat()).toHaveLength(objects.length);
    expect(stages[1]!.some((o) => o.kind === 'Deployment')).toBe(false);
    expect(applyStages(objects.filter((o) => o.kind === 'ConfigMap')).length).toBe(1);
  });

  it('lists the managed kinds with apiVersion, plural and whether to prune', () => {
    expect(managedKinds().map((k) => `${k.apiVersion} ${k.kind} ${k.plural} ${k.prune}`)).toEqual([
      'v1 Namespace namespaces false',
      'networking.k8s.io/v1 NetworkPolicy networkpolicies label',
      'v1 ServiceAccount serviceaccounts label',
      'v1 ConfigMap configmaps label',
      'v1 Secret secrets name',
      'v1 Service services label',
      'apps/v1 Deployment deployments label',
      'policy/v1 PodDisruptionBudget poddisruptionbudgets label',
    ]);
    expect(pruneLabelSelector({ namespace: 'payments', name: 'checkout' })).toBe(
      'paygrid.io/gateway=payments.checkout,app.kubernetes.io/managed-by=paygrid',
    );
  });
});

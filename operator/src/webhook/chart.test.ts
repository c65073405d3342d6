// The Helm chart, rendered with `helm template` (no cluster): its RBAC grants exactly the
// permissions in required-permissions.ts, member-rbac.yaml likewise, the webhook configuration
// calls the router's paths, the Deployment is what the issue asks, and values.schema.json
// rejects wrong values naming them. Needs helm (`make tools`).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { WEBHOOK_PATHS } from './index.js';
import {
  HUB_PERMISSIONS,
  LEADER_ELECTION_ID,
  MEMBER_NON_RESOURCE_PERMISSIONS,
  MEMBER_PERMISSIONS,
  permissionTuples,
  tupleKey,
  type Scope,
  type Verb,
} from './required-permissions.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = fileURLToPath(new URL('../../../', import.meta.url));
const chart = join(root, 'charts', 'paygrid');
const RELEASE = 'paygrid';
const NS = 'paygrid-system';

function helmBinary(): string {
  if (process.env.PAYGRID_HELM) return process.env.PAYGRID_HELM;
  const versions = readFileSync(join(root, 'e2e', 'testbed', 'versions.env'), 'utf8');
  const version = /^HELM_VERSION=(\S+)/m.exec(versions)?.[1];
  const cache = process.env.PAYGRID_CACHE ?? join(homedir(), '.cache', 'paygrid');
  const path = join(cache, 'tools', `helm-${version}`, 'helm');
  if (!existsSync(path))
    throw new Error(`helm not found at ${path}: run \`make tools\` (or set PAYGRID_HELM)`);
  return path;
}
const HELM = helmBinary();

function helm(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(HELM, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const renders = new Map<string, Obj[]>();
function render(...args: string[]): Obj[] {
  const key = args.join(' ');
  const cached = renders.get(key);
  if (cached) return cached;
  const r = helm(['template', RELEASE, chart, '--namespace', NS, '--kube-version', '1.35.0', ...args]);
  if (r.code !== 0) throw new Error(`helm template ${key} failed: ${r.stderr}`);
  const docs = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter((d) => d);
  renders.set(key, docs);
  return docs;
}
const find = (docs: Obj[], kind: string, name?: string): Obj[] =>
  docs.filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
const one = (docs: Obj[], kind: string, name?: string): Obj => {
  const found = find(docs, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
};

interface Grant {
  group: string;
  resource: string;
  verb: Verb;
  scope: Scope;
  names: string;
}

/** What the roles bound to a subject grant, as tuples (resourceNames mapped back to placeholders). */
function grants(
  docs: Obj[],
  subject: { kind: string; name: string; namespace: string },
  operatorNamespace: string,
  placeholders: Record<string, string> = {},
): { tuples: Grant[]; nonResource: string[]; wildcards: string[] } {
  const tuples: Grant[] = [];
  const nonResource: string[] = [];
  const wildcards: string[] = [];
  const bound = (b: Obj) =>
    (b.subjects ?? []).some(
      (s: Obj) => s.kind === subject.kind && s.name === subject.name && s.namespace === subject.namespace,
    );
  const role = (kind: string, name: string, namespace?: string) =>
    one(
      docs.filter((d) => kind === 'ClusterRole' || d.metadata?.namespace === namespace),
      kind,
      name,
    );
  const add = (rules: Obj[], scope: Scope) => {
    for (const rule of rules) {
      const verbs = rule.verbs as string[];
      if (verbs.includes('*')) wildcards.push(`verbs * in ${JSON.stringify(rule)}`);
      if (rule.nonResourceURLs) {
        for (const url of rule.nonResourceURLs as string[])
          for (const v of verbs) nonResource.push(`${v} ${url}`);
        continue;
      }
      for (const g of rule.apiGroups as string[]) {
        for (const res of rule.resources as string[]) {
          if (g === '*' || res === '*') wildcards.push(`${g}/${res}`);
          for (const verb of verbs) {
            const names = ((rule.resourceNames as string[] | undefined) ?? [])
              .map((n) => placeholders[n] ?? n)
              .sort()
              .join(',');
            tuples.push({ group: g, resource: res, verb: verb as Verb, scope, names });
          }
        }
      }
    }
  };
  for (const b of find(docs, 'ClusterRoleBinding').filter(bound)) {
    add(role(b.roleRef.kind, b.roleRef.name).rules ?? [], 'cluster');
  }
  for (const b of find(docs, 'RoleBinding').filter(bound)) {
    if (b.metadata.namespace !== operatorNamespace) {
      throw new Error(`RoleBinding ${b.metadata.name} in unexpected namespace ${b.metadata.namespace}`);
    }
    add(role(b.roleRef.kind, b.roleRef.name, b.metadata.namespace).rules ?? [], 'operator-namespace');
  }
  return { tuples, nonResource: nonResource.sort(), wildcards };
}

const keys = (tuples: Grant[]) => [...new Set(tuples.map(tupleKey))].sort();

// A user follows the README with the helm `make tools` builds, without --kube-version: that helm
// must carry the ldflags of a released binary, or it believes the cluster is v1.20.0 and refuses
// the chart's kubeVersion.
test('the helm make tools builds renders the chart without --kube-version', () => {
  const r = helm(['template', RELEASE, chart, '--namespace', NS]);
  expect(r.stderr).not.toContain('incompatible with Kubernetes');
  expect(r.code).toBe(0);
  expect(helm(['version', '--template', '{{.Version}}']).stdout).toMatch(/^v3\.\d+\.\d+$/);
});

describe('hub RBAC (templates/rbac.yaml) = HUB_PERMISSIONS', () => {
  const docs = render();
  const sa = { kind: 'ServiceAccount', name: 'paygrid', namespace: NS };
  const granted = grants(docs, sa, NS, { 'paygrid-operator-leader': LEADER_ELECTION_ID });

  it('grants every permission the code needs', () => {
    const missing = keys(permissionTuples(HUB_PERMISSIONS)).filter((k) => !keys(granted.tuples).includes(k));
    expect(missing).toEqual([]);
  });

  it('grants nothing the code does not need', () => {
    const extra = keys(granted.tuples).filter((k) => !keys(permissionTuples(HUB_PERMISSIONS)).includes(k));
    expect(extra).toEqual([]);
  });

  it('has no wildcards, no non-resource URLs, no escalation verbs', () => {
    expect(granted.wildcards).toEqual([]);
    expect(granted.nonResource).toEqual([]);
    const risky = granted.tuples.filter((t) =>
      ['escalate', 'bind', 'impersonate', 'deletecollection'].includes(t.verb),
    );
    expect(risky).toEqual([]);
  });

  it('lists and watches Secrets only in its own namespace; elsewhere it can only get one by name', () => {
    const secrets = granted.tuples.filter((t) => t.resource === 'secrets');
    expect(secrets.length).toBeGreaterThan(0);
    const outside = secrets.filter((t) => t.scope !== 'operator-namespace');
    expect(outside.map((t) => t.verb)).toEqual(['get']);
  });

  it('follows the leader election Lease name', () => {
    const custom = grants(render('--set', 'operator.leaderElectionId=my-lease'), sa, NS);
    expect(custom.tuples.filter((t) => t.names !== '').map((t) => t.names)).toEqual(['my-lease', 'my-lease']);
    const args = one(render('--set', 'operator.leaderElectionId=my-lease'), 'Deployment').spec.template.spec
      .containers[0].args as string[];
    expect(args).toContain('--leader-election-id=my-lease');
  });

  it('binds the ServiceAccount the Deployment runs as', () => {
    const dep = one(docs, 'Deployment');
    expect(dep.spec.template.spec.serviceAccountName).toBe('paygrid');
    expect(one(docs, 'ServiceAccount').metadata).toMatchObject({ name: 'paygrid', namespace: NS });
  });

  it('keeps the user-facing aggregated roles away from the operator', () => {
    const view = one(docs, 'ClusterRole', 'paygrid-view');
    expect(view.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
    const boundRoles = find(docs, 'ClusterRoleBinding').map((b) => b.roleRef.name);
    expect(boundRoles).toEqual(['paygrid']);
    expect(
      find(render('--set', 'rbac.aggregateToDefaultRoles=false'), 'ClusterRole').map((r) => r.metadata.name),
    ).toEqual(['paygrid']);
  });

  it('renders no RBAC when rbac.create is false', () => {
    const d = render('--set', 'rbac.create=false');
    expect(
      find(d, 'Role').length + find(d, 'RoleBinding').length + find(d, 'ClusterRoleBinding').length,
    ).toBe(0);
  });
});

describe('member RBAC (member-rbac.yaml) = MEMBER_PERMISSIONS', () => {
  const docs = parseAllDocuments(readFileSync(join(chart, 'member-rbac.yaml'), 'utf8')).map(
    (d) => d.toJS() as Obj,
  );
  const sa = { kind: 'ServiceAccount', name: 'paygrid', namespace: 'paygrid-system' };
  const granted = grants(docs, sa, 'paygrid-system');

  it('grants exactly the member permissions', () => {
    expect(keys(granted.tuples)).toEqual(keys(permissionTuples(MEMBER_PERMISSIONS)));
    expect(granted.wildcards).toEqual([]);
  });

  it('grants exactly the non-resource URLs the probes read', () => {
    expect(granted.nonResource).toEqual(
      MEMBER_NON_RESOURCE_PERMISSIONS.map((p) => `get ${p.nonResourceURL}`).sort(),
    );
  });

  it('never reads Secrets or Pods (Secret copies are only written and deleted), never deletes Namespaces', () => {
    const reads = ['get', 'list', 'watch'];
    const bad = granted.tuples.filter(
      (t) =>
        t.resource === 'pods' ||
        (t.resource === 'secrets' && reads.includes(t.verb)) ||
        (t.resource === 'namespaces' && t.verb === 'delete'),
    );
    expect(bad).toEqual([]);
    expect(
      granted.tuples
        .filter((t) => t.resource === 'secrets')
        .map((t) => t.verb)
        .sort(),
    ).toEqual(['create', 'delete', 'patch']);
  });

  it('provides a token for the kubeconfig', () => {
    const token = one(docs, 'Secret', 'paygrid-member-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.annotations['kubernetes.io/service-account.name']).toBe('paygrid');
  });
});

describe('ValidatingWebhookConfiguration', () => {
  const docs = render();
  const vwc = one(docs, 'ValidatingWebhookConfiguration');
  const hooks = vwc.webhooks as Obj[];

  it("calls the router's paths through the Service's webhook port", () => {
    const svc = one(docs, 'Service');
    const port = (svc.spec.ports as Obj[]).find((p) => p.name === 'webhook');
    expect(port).toMatchObject({ port: 443, targetPort: 'webhook' });
    const paths = hooks.map((h) => h.clientConfig.service.path);
    expect(paths.sort()).toEqual(Object.values(WEBHOOK_PATHS).sort());
    for (const h of hooks) {
      expect(h.clientConfig.service).toMatchObject({ name: 'paygrid', namespace: NS, port: 443 });
    }
    const container = one(docs, 'Deployment').spec.template.spec.containers[0];
    expect(container.ports).toContainEqual({ name: 'webhook', containerPort: 9443, protocol: 'TCP' });
  });

  it('covers create/update of every kind and delete of members, with per-rule failure policies', () => {
    const summary = hooks.map((h) => ({
      name: h.name,
      ops: h.rules[0].operations.join(','),
      resources: h.rules[0].resources.join(','),
      failurePolicy: h.failurePolicy,
    }));
    expect(summary).toEqual([
      {
        name: 'edgesites.validate.paygrid.io',
        ops: 'CREATE,UPDATE',
        resources: 'edgesites',
        failurePolicy: 'Fail',
      },
      {
        name: 'cloudclusters.validate.paygrid.io',
        ops: 'CREATE,UPDATE',
        resources: 'cloudclusters',
        failurePolicy: 'Fail',
      },
      {
        name: 'paymentgateways.validate.paygrid.io',
        ops: 'CREATE,UPDATE',
        resources: 'paymentgateways',
        failurePolicy: 'Fail',
      },
      {
        name: 'member-deletion.validate.paygrid.io',
        ops: 'DELETE',
        resources: 'edgesites,cloudclusters',
        failurePolicy: 'Fail',
      },
    ]);
    const ignore = one(
      render('--set', 'webhook.deleteFailurePolicy=Ignore'),
      'ValidatingWebhookConfiguration',
    );
    expect((ignore.webhooks as Obj[]).map((h) => h.failurePolicy)).toEqual([
      'Fail',
      'Fail',
      'Fail',
      'Ignore',
    ]);
  });

  it('answers within 5 s, has no side effects, speaks v1, skips spec-less updates', () => {
    for (const h of hooks) {
      expect(h).toMatchObject({
        timeoutSeconds: 5,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        matchPolicy: 'Equivalent',
      });
      if (h.rules[0].operations.includes('UPDATE')) {
        expect(h.matchConditions[0].expression).toContain('object.spec != oldObject.spec');
      }
    }
  });

  it('trusts a CA that signed the serving certificate for the Service name', () => {
    const tls = one(docs, 'Secret', 'paygrid-webhook-tls');
    const ca = one(docs, 'Secret', 'paygrid-webhook-ca');
    const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    const caCert = new X509Certificate(b64(ca.data['tls.crt']));
    const leaf = new X509Certificate(b64(tls.data['tls.crt']));
    expect(caCert.ca).toBe(true);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkHost('paygrid.paygrid-system.svc')).toBe('paygrid.paygrid-system.svc');
    expect(b64(tls.data['ca.crt'])).toBe(b64(ca.data['tls.crt']));
    for (const h of hooks) expect(b64(h.clientConfig.caBundle)).toBe(b64(ca.data['tls.crt']));
    // The pods mount the serving certificate, never the CA's key.
    const vol = (one(docs, 'Deployment').spec.template.spec.volumes as Obj[]).find(
      (v) => v.name === 'webhook-certs',
    );
    expect(vol?.secret.secretName).toBe('paygrid-webhook-tls');
    expect((vol?.secret.items as Obj[]).map((i) => i.key)).toEqual(['tls.crt', 'tls.key']);
  });

  it('calls webhook.url instead of the Service, with a certificate that names its host', () => {
    const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    for (const [url, host, base] of [
      ['https://127.0.0.1:9555', '127.0.0.1', 'https://127.0.0.1:9555'],
      ['https://hooks.example.com/paygrid/', 'hooks.example.com', 'https://hooks.example.com/paygrid'],
      ['https://[fd00::5]:9443', 'fd00::5', 'https://[fd00::5]:9443'],
    ] as const) {
      const d = render('--set', `webhook.url=${url}`);
      const urls = (one(d, 'ValidatingWebhookConfiguration').webhooks as Obj[]).map((h) => {
        expect(h.clientConfig.service).toBeUndefined();
        return h.clientConfig.url as string;
      });
      expect(urls.sort()).toEqual(
        Object.values(WEBHOOK_PATHS)
          .map((p) => `${base}${p}`)
          .sort(),
      );
      const leaf = new X509Certificate(b64(one(d, 'Secret', 'paygrid-webhook-tls').data['tls.crt']));
      const isIP = /^[0-9.]+$|:/.test(host);
      if (isIP) expect(leaf.checkIP(host)).toBe(host);
      else expect(leaf.checkHost(host)).toBe(host);
      // The Service names stay, so the same certificate serves in-cluster callers too.
      expect(leaf.checkHost('paygrid.paygrid-system.svc')).toBe('paygrid.paygrid-system.svc');
      const cm = one(
        render('--set', `webhook.url=${url}`, '--set', 'certManager.enabled=true'),
        'Certificate',
        'paygrid-webhook',
      );
      if (isIP) expect(cm.spec.ipAddresses).toEqual([host]);
      else expect(cm.spec.dnsNames).toContain(host);
    }
  });

  it('uses cert-manager when asked: a Certificate, CA injection, no chart-made Secrets', () => {
    const d = render('--set', 'certManager.enabled=true');
    const v = one(d, 'ValidatingWebhookConfiguration');
    expect(v.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('paygrid-system/paygrid-webhook');
    expect((v.webhooks as Obj[]).every((h) => h.clientConfig.caBundle === undefined)).toBe(true);
    expect(find(d, 'Secret')).toEqual([]);
    expect(one(d, 'Certificate', 'paygrid-webhook').spec).toMatchObject({
      secretName: 'paygrid-webhook-tls',
      dnsNames: expect.arrayContaining(['paygrid.paygrid-system.svc']),
      issuerRef: { kind: 'Issuer', name: 'paygrid-webhook-ca' },
    });
    const own = render(
      '--set',
      'certManager.enabled=true',
      '--set',
      'certManager.issuerRef.kind=ClusterIssuer',
      '--set',
      'certManager.issuerRef.name=corp-ca',
    );
    expect(find(own, 'Issuer')).toEqual([]);
    expect(one(own, 'Certificate').spec.issuerRef).toEqual({ kind: 'ClusterIssuer', name: 'corp-ca' });
  });

  it('can be turned off', () => {
    const d = render('--set', 'webhook.enabled=false');
    expect(find(d, 'ValidatingWebhookConfiguration')).toEqual([]);
    expect(find(d, 'Secret')).toEqual([]);
    expect(one(d, 'Deployment').spec.template.spec.containers[0].args).toContain('--webhook-bind-address=0');
  });
});

describe('Deployment', () => {
  const docs = render();
  const dep = one(docs, 'Deployment');
  const pod = dep.spec.template.spec;
  const c = pod.containers[0];

  it('runs 2 replicas with leader election and the agreed flags', () => {
    expect(dep.spec.replicas).toBe(2);
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--leader-elect',
        '--metrics-bind-address=:8080',
        '--health-probe-bind-address=:8081',
        '--namespace=$(POD_NAMESPACE)',
        '--routes-bind-address=:8082',
        '--webhook-bind-address=:9443',
        '--webhook-cert-file=/etc/paygrid/webhook-certs/tls.crt',
        '--webhook-key-file=/etc/paygrid/webhook-certs/tls.key',
      ]),
    );
    expect(c.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
  });

  it('probes /healthz and /readyz on 8081', () => {
    expect(c.ports).toContainEqual({ name: 'health', containerPort: 8081, protocol: 'TCP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
  });

  it('meets the restricted Pod Security Standard with a read-only root filesystem', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(c.resources.limits.memory).toBe('512Mi');
  });

  it('spreads its pods and keeps one through disruptions', () => {
    expect((pod.topologySpreadConstraints as Obj[]).map((t) => t.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(one(docs, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(find(render('--set', 'replicaCount=1'), 'PodDisruptionBudget')).toEqual([]);
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('exposes metrics, webhook and routes on the Service', () => {
    const ports = (one(docs, 'Service').spec.ports as Obj[]).map(
      (p) => `${p.name}:${p.port}->${p.targetPort}`,
    );
    expect(ports).toEqual(['metrics:8080->metrics', 'webhook:443->webhook', 'routes:8082->routes']);
  });
});

describe('optional objects', () => {
  it('creates a ServiceMonitor when the API exists (auto) or when asked', () => {
    expect(find(render(), 'ServiceMonitor')).toEqual([]);
    expect(
      find(render('--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor'), 'ServiceMonitor'),
    ).toHaveLength(1);
    expect(find(render('--set', 'metrics.serviceMonitor.enabled=true'), 'ServiceMonitor')).toHaveLength(1);
    expect(
      find(
        render(
          '--set',
          'metrics.serviceMonitor.enabled=false',
          '--api-versions',
          'monitoring.coreos.com/v1/ServiceMonitor',
        ),
        'ServiceMonitor',
      ),
    ).toEqual([]);
  });

  it('creates a NetworkPolicy for the operator when asked', () => {
    expect(find(render(), 'NetworkPolicy')).toEqual([]);
    const np = one(render('--set', 'networkPolicy.enabled=true'), 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const ingressPorts = (np.spec.ingress as Obj[]).flatMap((r) => (r.ports as Obj[]).map((p) => p.port));
    expect(ingressPorts).toEqual(['webhook', 'health', 'metrics', 'routes']);
  });
});

describe('values.schema.json', () => {
  it.each([
    [['--set', 'replicaCount=-1'], "at '/replicaCount'"],
    [['--set', 'replicaCount=two'], "at '/replicaCount'"],
    [['--set', 'image.pullPolicy=Sometimes'], "at '/image/pullPolicy'"],
    [['--set', 'operator.logLevel=verbose'], "at '/operator/logLevel'"],
    [['--set', 'operator.resyncPeriod=10minutes'], "at '/operator/resyncPeriod'"],
    [['--set', 'webhook.failurePolicy=fail'], "at '/webhook/failurePolicy'"],
    [['--set', 'webhook.timeoutSeconds=60'], "at '/webhook/timeoutSeconds'"],
    [['--set', 'webhook.replicas=3'], "additional properties 'replicas' not allowed"],
    [['--set', 'metrics.serviceMonitor.enabled=yes'], "at '/metrics/serviceMonitor/enabled'"],
    [['--set', 'image.digest=sha256:123'], "at '/image/digest'"],
    [['--set', 'webhook.url=http://10.0.0.5:9443'], "at '/webhook/url'"],
    [['--set', 'webhook.url=https://10.0.0.5:9443/?x=1'], "at '/webhook/url'"],
    [['--set', 'webhook.url=https://fd00::5:9443'], "at '/webhook/url'"],
    [['--set', 'webhook.url=https://:9443'], "at '/webhook/url'"],
    [['--set', 'webhook.url=https://hooks.example.com//'], "at '/webhook/url'"],
  ])('rejects %j naming the value', (args, message) => {
    const r = helm(['template', RELEASE, chart, '--kube-version', '1.35.0', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain(message);
  });

  it('accepts the defaults and is lint clean', () => {
    const r = helm(['lint', chart, '--strict', '--kube-version', '1.35.0']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('0 chart(s) failed');
  });
});

describe('Grafana dashboards (templates/grafana-dashboards.yaml)', () => {
  const dashboardsOf = (docs: Obj[]) =>
    find(docs, 'ConfigMap').filter((c) => c.metadata.name.startsWith('paygrid-dashboard-'));

  it('renders none by default', () => {
    expect(dashboardsOf(render())).toEqual([]);
  });

  it("renders both dashboards when enabled, labelled for Grafana's sidecar, with the JSON files intact", () => {
    const cms = dashboardsOf(render('--set', 'metrics.grafanaDashboards.enabled=true'));
    expect(cms.map((c) => c.metadata.name).sort()).toEqual([
      'paygrid-dashboard-operator',
      'paygrid-dashboard-payments',
    ]);
    for (const cm of cms) {
      expect(cm.metadata.namespace).toBe(NS);
      expect(cm.metadata.labels.grafana_dashboard).toBe('1');
      const [[key, body]] = Object.entries(cm.data as Record<string, string>) as [[string, string]];
      const file = key.replace(/^paygrid-/, '');
      expect(JSON.parse(body)).toEqual(JSON.parse(readFileSync(join(chart, 'dashboards', file), 'utf8')));
    }
  });

  it('takes the label, namespace and annotations from values', () => {
    const cms = dashboardsOf(
      render(
        '--set',
        'metrics.grafanaDashboards.enabled=true',
        '--set',
        'metrics.grafanaDashboards.label=dashboards.example.com/grafana',
        '--set-string',
        'metrics.grafanaDashboards.labelValue=payments',
        '--set',
        'metrics.grafanaDashboards.namespace=monitoring',
        '--set',
        'metrics.grafanaDashboards.annotations.grafana_folder=Payments',
      ),
    );
    expect(cms).toHaveLength(2);
    for (const cm of cms) {
      expect(cm.metadata.labels['dashboards.example.com/grafana']).toBe('payments');
      expect(cm.metadata.labels.grafana_dashboard).toBeUndefined();
      expect(cm.metadata.namespace).toBe('monitoring');
      expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Payments' });
    }
  });

  it('refuses a label value that is not a string, naming the field', () => {
    const r = helm([
      'template',
      RELEASE,
      chart,
      '--kube-version',
      '1.35.0',
      '--set',
      'metrics.grafanaDashboards.enabled=true',
      '--set',
      'metrics.grafanaDashboards.labelValue=1',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/metrics/grafanaDashboards/labelValue');
  });
});

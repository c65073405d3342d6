// The Helm chart on the real hub apiserver: lint, server-side dry run of everything it
// renders, a real install (pods run on the KWOK nodes), paygrid resources that survive
// `helm upgrade` and `helm uninstall` (CRDs are never deleted by Helm), an upgrade that
// changes nothing rolls nothing, and a `kubectl auth can-i` matrix that shows the operator's
// ServiceAccount can do what the code needs and nothing else. member-rbac.yaml is applied to
// a member (edge-a) and its identity checked the same way, with its real token.
//
// Shared-testbed safety: the release's webhook only judges objects labelled with this run's
// id (webhook.objectSelector), since its pods are KWOK stand-ins that serve nothing; whatever
// the suite created is removed at the end, what existed before is left as found.
// PAYGRID_CHART_NAMESPACE / PAYGRID_CHART_RELEASE choose another namespace / release name.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { contextOf, kubeconfigPath, type ClusterName, type KubectlResult } from './testbed/clusters.js';
import { helmBinary, thirdPartyCrdsDir } from './harness/tools.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = fileURLToPath(new URL('../../', import.meta.url));
const chart = join(root, 'charts', 'paygrid');
const NS = process.env.PAYGRID_CHART_NAMESPACE ?? 'paygrid-system';
const RELEASE = process.env.PAYGRID_CHART_RELEASE ?? 'paygrid';
/** The chart's full name: the release name when it contains "paygrid". */
const FULLNAME = RELEASE.includes('paygrid') ? RELEASE : `${RELEASE}-paygrid`;
const SA = `system:serviceaccount:${NS}:${FULLNAME}`;
const RUN = `chart-${Date.now().toString(36)}`;
const LABEL = 'paygrid.io/e2e-chart';
const GW_NS = `${RUN}-payments`;
const CRD_NAMES = ['edgesites.paygrid.io', 'cloudclusters.paygrid.io', 'paymentgateways.paygrid.io'];
const LEASE = 'paygrid-operator-leader';

function run(cmd: string, args: string[], stdin?: string): KubectlResult {
  const r = spawnSync(cmd, args, { input: stdin, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    code: r.status ?? 1,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? (r.error ? String(r.error) : ''),
  };
}
const k = (cluster: ClusterName, args: string[], stdin?: string) =>
  run('kubectl', ['--kubeconfig', kubeconfigPath, '--context', contextOf(cluster), ...args], stdin);
const hub = (args: string[], stdin?: string) => k('hub', args, stdin);

const HELM = helmBinary();
const helm = (args: string[]) =>
  run(HELM, ['--kubeconfig', kubeconfigPath, '--kube-context', contextOf('hub'), ...args]);

function must(r: KubectlResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
const exists = (cluster: ClusterName, args: string[]) => {
  const r = k(cluster, ['get', ...args, '-o', 'name', '--ignore-not-found']);
  return r.code === 0 && r.stdout.trim() !== '';
};
const getJson = (args: string[]): Obj =>
  JSON.parse(must(hub(['get', ...args, '-o', 'json']), `get ${args.join(' ')}`)) as Obj;

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Values every install and upgrade of this suite uses. */
const INSTALL_ARGS = [
  '--namespace',
  NS,
  // The webhook pods are KWOK stand-ins: only this run's labelled objects would reach them.
  '--set-json',
  `webhook.objectSelector={"matchLabels":{"${LABEL}":"${RUN}-webhook"}}`,
  '--wait',
  '--timeout',
  '3m',
];

/** `helm template` of the chart in this suite's namespace. */
const template = (args: string[]) =>
  must(
    helm(['template', RELEASE, chart, '--namespace', NS, '--kube-version', '1.35.0', ...args]),
    'helm template',
  );
const kindsOf = (yaml: string) =>
  parseAllDocuments(yaml)
    .map((d) => (d.toJS() as Obj | null)?.kind)
    .filter(Boolean);
/** Everything in `yaml` sent to the hub as a server-side dry run: admission and validation run, nothing is stored. */
const serverDryRun = (yaml: string) =>
  hub(
    [
      'apply',
      '--dry-run=server',
      '--server-side',
      '--force-conflicts',
      '--field-manager=paygrid-e2e-chart',
      '-f',
      '-',
    ],
    yaml,
  );

const created: { cluster: ClusterName; what: string; args: string[] }[] = [];
let installed = false;

beforeAll(async () => {
  if (helm(['status', RELEASE, '--namespace', NS]).code === 0) {
    throw new Error(
      `release ${RELEASE} already exists in ${NS}: set PAYGRID_CHART_RELEASE / PAYGRID_CHART_NAMESPACE to run beside it`,
    );
  }
  for (const n of CRD_NAMES)
    if (!exists('hub', ['crd', n])) created.push({ cluster: 'hub', what: `CRD ${n}`, args: ['crd', n] });
  await eventually(
    `namespace ${NS} to finish terminating`,
    () =>
      hub(['get', 'namespace', NS, '-o', 'jsonpath={.status.phase}', '--ignore-not-found']).stdout ===
      'Terminating'
        ? undefined
        : true,
    120_000,
  );
  if (!exists('hub', ['namespace', NS])) {
    must(hub(['create', 'namespace', NS]), `creating namespace ${NS}`);
    created.push({ cluster: 'hub', what: `namespace ${NS}`, args: ['namespace', NS] });
  }
  must(hub(['create', 'namespace', GW_NS]), `creating namespace ${GW_NS}`);
  created.push({ cluster: 'hub', what: `namespace ${GW_NS}`, args: ['namespace', GW_NS] });
}, 180_000);

afterAll(async () => {
  const errors: string[] = [];
  if (installed) {
    const r = helm(['uninstall', RELEASE, '--namespace', NS, '--wait', '--timeout', '2m']);
    if (r.code !== 0) errors.push(`helm uninstall: ${r.stderr}`);
  }
  // This run's paygrid objects (no operator runs here to remove finalizers: clear them).
  for (const kind of CRD_NAMES) {
    if (!exists('hub', ['crd', kind])) continue;
    const scope = kind.startsWith('paymentgateways') ? ['--all-namespaces'] : [];
    const list = hub([
      'get',
      kind,
      ...scope,
      '-l',
      `${LABEL}=${RUN}`,
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{"\\n"}{end}',
    ]);
    for (const line of list.stdout.split('\n').filter((l) => l.trim())) {
      const [ns, name] = line.trim().split(' ').length === 2 ? line.trim().split(' ') : ['', line.trim()];
      const nsArgs = ns ? ['-n', ns] : [];
      hub(['patch', kind, name!, ...nsArgs, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      const r = hub(['delete', kind, name!, ...nsArgs, '--ignore-not-found', '--wait=false']);
      if (r.code !== 0) errors.push(`${kind} ${name}: ${r.stderr}`);
    }
  }
  hub(['delete', 'secret', '-n', NS, '-l', `${LABEL}=${RUN}`, '--ignore-not-found']);
  for (const c of [...created].reverse()) {
    const r = k(c.cluster, ['delete', ...c.args, '--ignore-not-found', '--wait=false']);
    if (r.code !== 0) errors.push(`${c.what}: ${r.stderr}`);
  }
  if (errors.length > 0) throw new Error(`cleanup failed:\n${errors.join('\n')}`);
}, 300_000);

describe('the chart', () => {
  it('is lint clean', () => {
    const r = helm(['lint', chart, '--strict', '--kube-version', '1.35.0']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  }, 30_000);

  it.each([
    ['the defaults', []],
    [
      'every option the hub can take',
      [
        '--set',
        'networkPolicy.enabled=true',
        '--set',
        'replicaCount=3',
        '--set',
        'webhook.deleteFailurePolicy=Ignore',
        '--set',
        'metrics.grafanaDashboards.enabled=true',
      ],
    ],
    ['the webhook off', ['--set', 'webhook.enabled=false', '--set', 'rbac.aggregateToDefaultRoles=false']],
  ])(
    'renders objects the apiserver accepts (server-side dry run): %s',
    (_what, args) => {
      const out = template(['--include-crds', ...args]);
      const kinds = kindsOf(out);
      expect(kinds).toEqual(
        expect.arrayContaining(['CustomResourceDefinition', 'Deployment', 'ClusterRole', 'Role']),
      );
      // The Grafana dashboards are ConfigMaps only when asked for.
      expect(kinds.includes('ConfigMap')).toBe(args.includes('metrics.grafanaDashboards.enabled=true'));
      const r = serverDryRun(out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
    60_000,
  );
});

describe("with the Prometheus Operator's and cert-manager's CRDs on the hub", () => {
  // Their CRDs as those projects publish them (make tools copies them from their Go modules).
  const files = [
    'monitoring.coreos.com_servicemonitors.yaml',
    'cert-manager.io_certificates.yaml',
    'cert-manager.io_issuers.yaml',
    'cert-manager.io_clusterissuers.yaml',
  ];
  const names = [
    'servicemonitors.monitoring.coreos.com',
    'certificates.cert-manager.io',
    'issuers.cert-manager.io',
    'clusterissuers.cert-manager.io',
  ];
  const mine: string[] = [];

  beforeAll(() => {
    for (const [i, f] of files.entries()) {
      if (exists('hub', ['crd', names[i]!])) continue;
      must(hub(['apply', '--server-side', '-f', join(thirdPartyCrdsDir(), f)]), `applying ${f}`);
      mine.push(names[i]!);
    }
    must(
      hub(['wait', '--for=condition=Established', '--timeout=60s', ...names.map((n) => `crd/${n}`)]),
      'third-party CRDs Established',
    );
  }, 120_000);

  afterAll(async () => {
    for (const n of mine) hub(['delete', 'crd', n, '--ignore-not-found']);
    // The install below renders a ServiceMonitor (enabled: auto) while discovery still serves
    // the API: wait until the apiserver has dropped what this suite added.
    const groups = [...new Set(mine.map((n) => n.slice(n.indexOf('.') + 1)))].filter(
      (g) => !names.some((n) => n.endsWith(`.${g}`) && exists('hub', ['crd', n])),
    );
    const served = () => hub(['api-versions']).stdout.split('\n');
    await eventually('the third-party APIs to leave discovery', () =>
      groups.every((g) => !served().includes(`${g}/v1`)) ? true : undefined,
    );
  }, 120_000);

  it('renders a ServiceMonitor and cert-manager objects the apiserver accepts (server-side dry run)', () => {
    for (const extra of [
      [],
      ['--set-json', 'certManager.issuerRef={"kind":"ClusterIssuer","name":"corp-ca"}'],
    ]) {
      const out = template([
        '--set',
        'metrics.serviceMonitor.enabled=true',
        '--set',
        'certManager.enabled=true',
        '--set',
        'webhook.url=https://10.0.0.5:9443',
        ...extra,
      ]);
      const kinds = kindsOf(out);
      expect(kinds).toEqual(expect.arrayContaining(['ServiceMonitor', 'Certificate']));
      if (extra.length === 0) expect(kinds).toContain('Issuer');
      else expect(kinds).not.toContain('Issuer');
      const r = serverDryRun(out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  }, 60_000);

  it('creates the ServiceMonitor by itself (enabled: auto) when the cluster serves its API', () => {
    // helm install --dry-run=server asks the real apiserver which APIs it serves.
    const out = must(
      helm(['install', RELEASE, chart, '--namespace', NS, '--dry-run=server']),
      'helm install --dry-run=server',
    );
    const monitors = parseAllDocuments(out)
      .map((d) => d.toJS() as Obj | null)
      .filter((d) => d?.kind === 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    expect(monitors[0]!.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
  }, 60_000);
});

describe('helm install, upgrade and uninstall on the hub', () => {
  let firstCert = '';
  let firstCaBundle = '';

  it('installs: CRDs Established, operator pods ready, webhook configured', () => {
    installed = true; // from here on a release may exist, whatever helm answers
    const notes = must(helm(['install', RELEASE, chart, ...INSTALL_ARGS]), 'helm install');
    // NOTES.txt: what to do next, for this release and namespace.
    for (const next of [
      `kubectl -n ${NS} rollout status deployment/${FULLNAME}`,
      'kubectl --context <member> apply -f charts/paygrid/member-rbac.yaml',
      `kubectl -n ${NS} create secret generic paygrid-member-edge-a --from-file=kubeconfig=edge-a.kubeconfig`,
      'kubectl wait es/edge-a --for=condition=Ready',
      'kubectl apply -f examples/namespace.yaml',
      'bash examples/create-secrets.sh',
      'kubectl apply -f examples/paymentgateway.yaml',
      `Operator identity on the hub: ${SA}`,
    ]) {
      expect(notes).toContain(next);
    }
    must(
      hub(['wait', '--for=condition=Established', '--timeout=60s', ...CRD_NAMES.map((n) => `crd/${n}`)]),
      'CRDs Established',
    );
    const dep = getJson(['deployment', FULLNAME, '-n', NS]);
    expect(dep.status.readyReplicas).toBe(2);
    const pods = getJson([
      'pods',
      '-n',
      NS,
      '-l',
      `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=operator`,
    ]);
    expect(pods.items).toHaveLength(2);
    // Both replicas fit the restricted Pod Security Standard (the namespace could enforce it).
    const dryRun = hub([
      'label',
      '--dry-run=server',
      '--overwrite',
      'namespace',
      NS,
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stderr).not.toContain('violate');
    const vwc = getJson(['validatingwebhookconfiguration', FULLNAME]);
    expect(vwc.webhooks).toHaveLength(4);
    firstCaBundle = vwc.webhooks[0].clientConfig.caBundle;
    expect(firstCaBundle).toBeTruthy();
    firstCert = getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]).data['tls.crt'];
    expect(
      Buffer.from(
        getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]).data['ca.crt'],
        'base64',
      ).toString(),
    ).toBe(Buffer.from(firstCaBundle, 'base64').toString());
  }, 240_000);

  it('accepts paygrid resources after the install', () => {
    const kubeconfig =
      'apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: x, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n';
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${RUN}-kubeconfig`, namespace: NS, labels: { [LABEL]: RUN } },
        stringData: { kubeconfig },
      },
      {
        apiVersion: 'paygrid.io/v1alpha1',
        kind: 'EdgeSite',
        metadata: { name: `${RUN}-site`, labels: { [LABEL]: RUN } },
        spec: {
          region: 'eu-west',
          kubeconfigSecretRef: { name: `${RUN}-kubeconfig` },
          endpoint: 'https://site.example.com',
          cordoned: true,
        },
      },
      {
        apiVersion: 'paygrid.io/v1alpha1',
        kind: 'PaymentGateway',
        metadata: { name: 'checkout', namespace: GW_NS, labels: { [LABEL]: RUN } },
        spec: {
          authorization: {
            image: 'ghcr.io/paygrid/authorization:0.1.0',
            siteSelector: { matchLabels: { [LABEL]: RUN } },
          },
          ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: `${RUN}-cloud` },
          failover: { paused: true },
        },
      },
    ];
    for (const o of objects) must(hub(['apply', '-f', '-'], JSON.stringify(o)), `creating ${o.kind}`);
  }, 240_000);

  it('upgrades without changing anything when nothing changed (no rollout, same certificate)', () => {
    const before = getJson(['deployment', FULLNAME, '-n', NS]);
    must(helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS]), 'helm upgrade (same values)');
    const after = getJson(['deployment', FULLNAME, '-n', NS]);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]).data['tls.crt']).toBe(firstCert);
    expect(getJson(['validatingwebhookconfiguration', FULLNAME]).webhooks[0].clientConfig.caBundle).toBe(
      firstCaBundle,
    );
  }, 240_000);

  it('upgrades with new values: rolls the operator, keeps the CRs and the certificate', () => {
    const before = getJson(['deployment', FULLNAME, '-n', NS]);
    const gw = getJson(['paymentgateway', 'checkout', '-n', GW_NS]);
    must(
      helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS, '--set', 'operator.logLevel=debug']),
      'helm upgrade (logLevel)',
    );
    const after = getJson(['deployment', FULLNAME, '-n', NS]);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.spec.template.spec.containers[0].args).toContain('--log-level=debug');
    expect(after.status.readyReplicas).toBe(2);
    const gwAfter = getJson(['paymentgateway', 'checkout', '-n', GW_NS]);
    expect(gwAfter.metadata.uid).toBe(gw.metadata.uid);
    expect(gwAfter.spec).toEqual(gw.spec);
    expect(exists('hub', ['edgesite', `${RUN}-site`])).toBe(true);
    expect(getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]).data['tls.crt']).toBe(firstCert);
  }, 240_000);

  it('renews an expiring serving certificate on upgrade, with the same CA (caBundle unchanged)', () => {
    const soon = String(Math.floor(Date.now() / 1000) + 86_400); // expires in a day: within renewBeforeDays
    must(
      hub([
        'annotate',
        'secret',
        `${FULLNAME}-webhook-tls`,
        '-n',
        NS,
        '--overwrite',
        `paygrid.io/not-after-unix=${soon}`,
      ]),
      'ageing the certificate',
    );
    const before = getJson(['deployment', FULLNAME, '-n', NS]);
    must(helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS, '--reuse-values']), 'helm upgrade (renewal)');
    const tls = getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]);
    expect(tls.data['tls.crt']).not.toBe(firstCert);
    expect(Number(tls.metadata.annotations['paygrid.io/not-after-unix'])).toBeGreaterThan(
      Date.now() / 1000 + 300 * 86_400,
    );
    expect(getJson(['validatingwebhookconfiguration', FULLNAME]).webhooks[0].clientConfig.caBundle).toBe(
      firstCaBundle,
    );
    const leaf = new X509Certificate(Buffer.from(tls.data['tls.crt'], 'base64').toString());
    const ca = new X509Certificate(Buffer.from(firstCaBundle, 'base64').toString());
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost(`${FULLNAME}.${NS}.svc`)).toBe(`${FULLNAME}.${NS}.svc`);
    // The pods read the renewed files from their volume: no rollout.
    expect(getJson(['deployment', FULLNAME, '-n', NS]).metadata.generation).toBe(before.metadata.generation);
  }, 240_000);

  it('replaces an expiring CA on upgrade, trusting the old one too for that upgrade', () => {
    const soon = String(Math.floor(Date.now() / 1000) + 86_400);
    must(
      hub([
        'annotate',
        'secret',
        `${FULLNAME}-webhook-ca`,
        '-n',
        NS,
        '--overwrite',
        `paygrid.io/not-after-unix=${soon}`,
      ]),
      'ageing the CA',
    );
    const oldCa = Buffer.from(firstCaBundle, 'base64').toString();
    must(helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS, '--reuse-values']), 'helm upgrade (CA rotation)');
    const bundle = Buffer.from(
      getJson(['validatingwebhookconfiguration', FULLNAME]).webhooks[0].clientConfig.caBundle,
      'base64',
    ).toString();
    const newCa = Buffer.from(
      getJson(['secret', `${FULLNAME}-webhook-ca`, '-n', NS]).data['tls.crt'],
      'base64',
    ).toString();
    expect(newCa).not.toBe(oldCa);
    expect(bundle).toBe(`${newCa}${oldCa}`);
    const leaf = new X509Certificate(
      Buffer.from(
        getJson(['secret', `${FULLNAME}-webhook-tls`, '-n', NS]).data['tls.crt'],
        'base64',
      ).toString(),
    );
    expect(leaf.verify(new X509Certificate(newCa).publicKey)).toBe(true);
    // The next upgrade drops the old CA.
    must(
      helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS, '--reuse-values']),
      'helm upgrade (after rotation)',
    );
    const after = Buffer.from(
      getJson(['validatingwebhookconfiguration', FULLNAME]).webhooks[0].clientConfig.caBundle,
      'base64',
    ).toString();
    expect(after).toBe(newCa);
  }, 240_000);

  it('rejects a wrong value naming it, and leaves the release as it was', () => {
    const r = helm(['upgrade', RELEASE, chart, ...INSTALL_ARGS, '--set', 'webhook.failurePolicy=Sometimes']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("at '/webhook/failurePolicy'");
    expect(must(helm(['status', RELEASE, '--namespace', NS, '-o', 'json']), 'helm status')).toContain(
      '"status":"deployed"',
    );
  }, 240_000);

  describe('the ServiceAccount can do what the code needs, and nothing else (kubectl auth can-i)', () => {
    const can = (args: string[]) => {
      const r = hub(['auth', 'can-i', ...args, '--as', SA]);
      return r.stdout.trim() === 'yes';
    };
    const allowed: string[][] = [
      ['list', 'edgesites.paygrid.io'],
      ['watch', 'edgesites.paygrid.io'],
      ['list', 'cloudclusters.paygrid.io'],
      ['watch', 'cloudclusters.paygrid.io'],
      ['list', 'paymentgateways.paygrid.io', '--all-namespaces'],
      ['watch', 'paymentgateways.paygrid.io', '--all-namespaces'],
      ['patch', 'paymentgateways.paygrid.io', '-n', GW_NS],
      ['patch', 'paymentgateways.paygrid.io', '--subresource=status', '-n', GW_NS],
      ['patch', 'edgesites.paygrid.io', '--subresource=status'],
      ['patch', 'cloudclusters.paygrid.io', '--subresource=status'],
      // the webhook reads a Secret its cache does not hold yet
      ['get', 'secrets', '-n', NS],
      // the Secrets a PaymentGateway names, by name in its namespace
      ['get', 'secrets', '-n', GW_NS],
      ['list', 'secrets', '-n', NS],
      ['watch', 'secrets', '-n', NS],
      ['create', 'leases.coordination.k8s.io', '-n', NS],
      ['get', `leases.coordination.k8s.io/${LEASE}`, '-n', NS],
      ['update', `leases.coordination.k8s.io/${LEASE}`, '-n', NS],
      ['create', 'events.events.k8s.io', '-n', NS],
      ['patch', 'events.events.k8s.io', '-n', GW_NS],
      ['create', 'events.events.k8s.io', '-n', 'default'],
    ];
    const denied: string[][] = [
      // Secrets: a gateway's Secrets are read by name (get, any namespace), never enumerated
      ['list', 'secrets', '--all-namespaces'],
      ['list', 'secrets', '-n', GW_NS],
      ['watch', 'secrets', '-n', GW_NS],
      ['create', 'secrets', '-n', NS],
      // no escalation
      ['create', 'clusterroles.rbac.authorization.k8s.io'],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io'],
      ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', NS],
      ['escalate', 'clusterroles.rbac.authorization.k8s.io'],
      ['bind', 'clusterroles.rbac.authorization.k8s.io'],
      ['impersonate', 'serviceaccounts', '-n', NS],
      ['create', 'serviceaccounts/token', '-n', NS],
      // paygrid resources: only what the code does (caches are read, never a GET; writes are patches)
      ['get', `edgesites.paygrid.io/${RUN}-site`],
      ['get', 'cloudclusters.paygrid.io'],
      ['get', 'paymentgateways.paygrid.io/checkout', '-n', GW_NS],
      ['update', 'edgesites.paygrid.io', '--subresource=status'],
      ['update', 'cloudclusters.paygrid.io', '--subresource=status'],
      ['update', 'paymentgateways.paygrid.io', '--subresource=status', '-n', GW_NS],
      ['update', 'paymentgateways.paygrid.io', '--subresource=finalizers', '-n', GW_NS],
      ['create', 'edgesites.paygrid.io'],
      ['update', 'edgesites.paygrid.io'],
      ['delete', 'edgesites.paygrid.io'],
      ['create', 'paymentgateways.paygrid.io', '-n', GW_NS],
      ['update', 'paymentgateways.paygrid.io', '-n', GW_NS],
      ['delete', 'paymentgateways.paygrid.io', '-n', GW_NS],
      ['deletecollection', 'paymentgateways.paygrid.io', '-n', GW_NS],
      // other CRDs and the CRDs themselves
      ['get', 'customresourcedefinitions.apiextensions.k8s.io'],
      ['update', 'customresourcedefinitions.apiextensions.k8s.io'],
      ['list', 'widgets.example.com'],
      ['list', 'certificates.cert-manager.io', '--all-namespaces'],
      // only its own Lease, only in its namespace
      ['update', 'leases.coordination.k8s.io/kube-scheduler', '-n', 'kube-system'],
      ['update', 'leases.coordination.k8s.io/someone-else', '-n', NS],
      ['delete', `leases.coordination.k8s.io/${LEASE}`, '-n', NS],
      // nothing of the hub's workloads, nodes or admission
      ['list', 'pods', '-n', NS],
      ['create', 'deployments.apps', '-n', NS],
      ['list', 'nodes'],
      ['list', 'events.events.k8s.io', '-n', NS],
      ['create', 'events', '-n', NS],
      ['delete', 'validatingwebhookconfigurations.admissionregistration.k8s.io'],
    ];
    it.each(allowed.map((a) => [a.join(' '), a]))(
      'can %s',
      (_title, args) => expect(can(args as string[])).toBe(true),
      30_000,
    );
    it.each(denied.map((a) => [a.join(' '), a]))(
      'cannot %s',
      (_title, args) => expect(can(args as string[])).toBe(false),
      30_000,
    );
  });

  it('uninstalls, keeping the CRDs and every paygrid resource', () => {
    must(helm(['uninstall', RELEASE, '--namespace', NS, '--wait', '--timeout', '2m']), 'helm uninstall');
    installed = false;
    for (const n of CRD_NAMES) expect(exists('hub', ['crd', n])).toBe(true);
    expect(exists('hub', ['edgesite', `${RUN}-site`])).toBe(true);
    expect(exists('hub', ['paymentgateway', 'checkout', '-n', GW_NS])).toBe(true);
    expect(exists('hub', ['validatingwebhookconfiguration', FULLNAME])).toBe(false);
    expect(exists('hub', ['clusterrole', FULLNAME])).toBe(false);
    expect(exists('hub', ['deployment', FULLNAME, '-n', NS])).toBe(false);
  }, 240_000);
});

describe('member-rbac.yaml on a member (edge-a)', () => {
  const MEMBER_NS = 'paygrid-system';
  const MEMBER_SA = `system:serviceaccount:${MEMBER_NS}:paygrid`;
  const docs = ['member-rbac.yaml', 'member-policy.yaml'].flatMap((f) =>
    parseAllDocuments(readFileSync(join(chart, f), 'utf8')).map((d) => d.toJS() as Obj),
  );
  const edge = (args: string[], stdin?: string) => k('edge-a', args, stdin);

  beforeAll(() => {
    // Record what did not exist, to remove only that afterwards.
    for (const d of docs) {
      const ref = [
        d.kind.toLowerCase(),
        d.metadata.name,
        ...(d.metadata.namespace ? ['-n', d.metadata.namespace] : []),
      ];
      if (!exists('edge-a', ref))
        created.push({ cluster: 'edge-a', what: `${d.kind} ${d.metadata.name} on edge-a`, args: ref });
    }
    // Namespaces last in `created` order means first removed: keep the namespace at the front.
    created.sort((a, b) => Number(b.args[0] === 'namespace') - Number(a.args[0] === 'namespace'));
  });

  it('applies to a member apiserver, and applies again without change', () => {
    const file = join(chart, 'member-rbac.yaml');
    must(edge(['apply', '-f', file]), 'applying member-rbac.yaml');
    const again = must(edge(['apply', '-f', file]), 'applying member-rbac.yaml again');
    expect(again.split('\n').filter((l) => l && !l.endsWith(' unchanged'))).toEqual([]);
  }, 240_000);

  it('lets the paygrid identity do what the operator does on a member', () => {
    const can = (args: string[]) =>
      edge(['auth', 'can-i', ...args, '--as', MEMBER_SA]).stdout.trim() === 'yes';
    const yes = [
      ['create', 'namespaces'],
      ['patch', 'namespaces'],
      ['list', 'nodes'],
      ['get', '/readyz'],
      ['get', '/version'],
      ...[
        'serviceaccounts',
        'configmaps',
        'services',
        'networkpolicies.networking.k8s.io',
        'poddisruptionbudgets.policy',
        'deployments.apps',
      ].flatMap((r) => [
        ['create', r, '-n', 'payments'],
        ['patch', r, '-n', 'payments'],
        ['delete', r, '-n', 'payments'],
        ['list', r, '--all-namespaces'],
      ]),
      ['watch', 'deployments.apps', '--all-namespaces'],
      // the copies of a gateway's Secrets: written and deleted by name, never read
      ['create', 'secrets', '-n', 'payments'],
      ['patch', 'secrets', '-n', 'payments'],
      ['delete', 'secrets', '-n', 'payments'],
    ];
    const no = [
      ['delete', 'namespaces'],
      ['get', 'secrets', '-n', 'payments'],
      ['list', 'secrets', '--all-namespaces'],
      ['watch', 'secrets', '-n', 'payments'],
      ['list', 'pods', '-n', 'payments'],
      ['create', 'pods', '-n', 'payments'],
      ['create', 'roles.rbac.authorization.k8s.io', '-n', 'payments'],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io'],
      ['patch', 'nodes'],
      ['create', 'daemonsets.apps', '-n', 'payments'],
      ['update', 'deployments.apps', '-n', 'payments'],
    ];
    expect(yes.filter((a) => !can(a))).toEqual([]);
    expect(no.filter((a) => can(a))).toEqual([]);
  }, 240_000);

  it("with member-policy.yaml, confines that identity to objects labelled as paygrid's", async () => {
    must(edge(['apply', '-f', join(chart, 'member-policy.yaml')]), 'applying member-policy.yaml');
    const asPaygrid = (obj: Obj, extra: string[] = []) =>
      edge(
        [
          'apply',
          '--server-side',
          '--field-manager=paygrid-operator',
          '--dry-run=server',
          '--as',
          MEMBER_SA,
          ...extra,
          '-f',
          '-',
        ],
        JSON.stringify(obj),
      );
    const labelled = { 'app.kubernetes.io/managed-by': 'paygrid' };
    const cm = (name: string, labels: Obj = labelled) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'default', labels },
      data: { a: 'b' },
    });
    // The policy takes a moment to reach the apiserver's admission: wait for its first denial.
    const unlabelled = await eventually('the policy to deny an unlabelled ConfigMap', () => {
      const r = asPaygrid(cm(`${RUN}-cm`, {}));
      return r.code !== 0 ? r : undefined;
    });
    expect(unlabelled.stderr).toContain(
      'paygrid may only create, change or delete objects labelled app.kubernetes.io/managed-by=paygrid',
    );
    must(asPaygrid(cm(`${RUN}-cm`)), 'a labelled ConfigMap');
    const takeover = asPaygrid(cm('kube-root-ca.crt'), ['--force-conflicts']);
    expect(takeover.stderr).toContain('paygrid may not take over configmaps default/kube-root-ca.crt');
    const system = asPaygrid(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: labelled } },
      ['--force-conflicts'],
    );
    expect(system.stderr).toContain('paygrid may not manage the system namespace kube-system');
    must(
      asPaygrid({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `${RUN}-payments`, labels: labelled },
      }),
      'a new namespace',
    );
    // People are not affected.
    must(
      edge(['create', 'configmap', `${RUN}-cm`, '-n', 'default', '--from-literal=a=b', '--dry-run=server']),
      'an admin',
    );
  }, 240_000);

  it('gives a token that reaches /readyz, /version and nodes, and nothing secret', async () => {
    const token = await eventually('the member token to be issued', () => {
      const r = edge([
        'get',
        'secret',
        'paygrid-member-token',
        '-n',
        MEMBER_NS,
        '-o',
        'jsonpath={.data.token}',
      ]);
      return r.code === 0 && r.stdout ? Buffer.from(r.stdout, 'base64').toString() : undefined;
    });
    // The same server and CA as the testbed's context, with the token as the only credential.
    const raw = JSON.parse(
      must(
        run('kubectl', ['--kubeconfig', kubeconfigPath, 'config', 'view', '--raw', '-o', 'json']),
        'kubeconfig',
      ),
    ) as Obj;
    const ctx = (raw.contexts as Obj[]).find((c) => c.name === contextOf('edge-a'))!.context;
    const cluster = (raw.clusters as Obj[]).find((c) => c.name === ctx.cluster)!.cluster;
    const dir = mkdtempSync(join(tmpdir(), 'paygrid-member-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'edge-a', cluster }],
        users: [{ name: 'paygrid', user: { token } }],
        contexts: [{ name: 'edge-a', context: { cluster: 'edge-a', user: 'paygrid' } }],
        'current-context': 'edge-a',
      }),
      { mode: 0o600 },
    );
    const call = (args: string[]) => run('kubectl', ['--kubeconfig', file, ...args]);
    try {
      expect(call(['get', '--raw', '/readyz']).stdout.trim()).toBe('ok');
      expect(call(['get', '--raw', '/version']).stdout).toContain('gitVersion');
      expect(call(['get', 'nodes', '-o', 'name']).code).toBe(0);
      const secrets = call(['get', 'secrets', '-n', MEMBER_NS]);
      expect(secrets.code).not.toBe(0);
      expect(secrets.stderr).toContain('Forbidden');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

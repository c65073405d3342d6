// The CRDs against the real hub apiserver: they install and become
// Established, every example applies as it is, kubectl get/explain read well,
// and the apiserver itself rejects invalid resources, naming the offending
// field (OpenAPI validation and CEL rules, immutability included). Rejections
// run as server-side dry runs, so a case that wrongly passed leaves nothing
// behind. Whatever the suite creates is removed at the end; what existed
// before (CRDs, namespaces, member Secrets, example objects) is left as found.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { kubectl, SPARE_MEMBERS, type KubectlResult } from './testbed/clusters.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const OPERATOR_NAMESPACE = 'paygrid-system';
const FIELD_MANAGER = 'paygrid-e2e-crds';
const INVALID_NAME = 'e2e-crd-invalid';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const crdFiles = readdirSync(join(root, 'crds'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const crdNames = crdFiles.map(
  (f) => (parse(readFileSync(join(root, 'crds', f), 'utf8')) as Obj).metadata.name as string,
);

// examples/namespace.yaml first: the gateway lives in it.
const exampleFiles = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort((a, b) => Number(b === 'namespace.yaml') - Number(a === 'namespace.yaml') || a.localeCompare(b));
const examples = exampleFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(join(root, 'examples', file), 'utf8')).map((d) => ({
    file,
    obj: d.toJS() as Obj,
  })),
);
// Examples of spare members (SPARE_MEMBERS, e.g. cloud-us): the baseline registers none, and a
// suite that needs one registers it itself, so here they are only checked by the apiserver (a
// server-side dry run: OpenAPI and CEL), never created, and get no member Secret.
const dryRunOnly = (file: string) =>
  SPARE_MEMBERS.some((m) => file === `cloudcluster-${m}.yaml` || file === `edgesite-${m}.yaml`);
const example = (kind: string): Obj => {
  const found = examples.find((e) => e.obj.kind === kind);
  if (!found) throw new Error(`no ${kind} in examples/`);
  return found.obj;
};

function hub(args: string[], stdin?: string): KubectlResult {
  return kubectl('hub', args, stdin);
}

function must(r: KubectlResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

function exists(args: string[]): boolean {
  const r = hub(['get', ...args, '-o', 'name', '--ignore-not-found']);
  return r.code === 0 && r.stdout.trim() !== '';
}

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const words = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A syntactically valid kubeconfig that reaches nothing: the member Secrets the examples reference. */
const DUMMY_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: dummy
  cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}
users:
- name: dummy
  user: {token: dummy}
contexts:
- name: dummy
  context: {cluster: dummy, user: dummy}
current-context: dummy
`;

/** What the suite created, removed in afterAll in reverse order. */
const created: { what: string; args: string[] }[] = [];

beforeAll(async () => {
  // CRDs: server-side apply (the same files the chart ships), then Established.
  const crdsExisted = crdNames.filter((n) => exists(['crd', n]));
  must(
    hub([
      'apply',
      '--server-side',
      '--force-conflicts',
      `--field-manager=${FIELD_MANAGER}`,
      '-f',
      join(root, 'crds'),
    ]),
    'applying crds/',
  );
  for (const n of crdNames)
    if (!crdsExisted.includes(n)) created.push({ what: `CRD ${n}`, args: ['crd', n] });
  must(
    hub(['wait', '--for=condition=Established', '--timeout=60s', ...crdNames.map((n) => `crd/${n}`)]),
    'waiting for the CRDs to be Established',
  );

  // The member Secrets the examples reference, unless the testbed made real ones.
  if (!exists(['namespace', OPERATOR_NAMESPACE])) {
    must(hub(['create', 'namespace', OPERATOR_NAMESPACE]), `creating namespace ${OPERATOR_NAMESPACE}`);
    created.push({ what: `namespace ${OPERATOR_NAMESPACE}`, args: ['namespace', OPERATOR_NAMESPACE] });
  }
  const secretNames = examples
    .filter((e) => !dryRunOnly(e.file))
    .map((e) => e.obj.spec?.kubeconfigSecretRef?.name as string | undefined)
    .filter((n): n is string => n !== undefined);
  for (const name of secretNames) {
    if (exists(['secret', '-n', OPERATOR_NAMESPACE, name])) continue;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: OPERATOR_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'paygrid' } },
      type: 'Opaque',
      stringData: { kubeconfig: DUMMY_KUBECONFIG },
    };
    must(hub(['create', '-f', '-'], JSON.stringify(secret)), `creating Secret ${name}`);
    created.push({ what: `Secret ${name}`, args: ['secret', '-n', OPERATOR_NAMESPACE, name] });
  }

  // Every example, as an SRE would apply it. An object that already exists
  // (made by the testbed or another suite), or a spare member's, is only validated, not changed.
  for (const { file } of examples.filter((e, i) => examples.findIndex((x) => x.file === e.file) === i)) {
    const path = join(root, 'examples', file);
    const existed = exists(['-f', path]);
    const dryRun = existed || dryRunOnly(file) ? ['--dry-run=server', '--force-conflicts'] : [];
    must(
      hub(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...dryRun, '-f', path]),
      `applying examples/${file}`,
    );
    if (!existed && !dryRunOnly(file)) created.push({ what: `examples/${file}`, args: ['-f', path] });
  }
}, 180_000);

afterAll(() => {
  for (const { what, args } of [...created].reverse()) {
    const r = hub(['delete', ...args, '--ignore-not-found', '--wait=true', '--timeout=60s']);
    if (r.code === 0) continue;
    // A gateway the operator could not clean up (its members are dummies) keeps its finalizer.
    if (args[0] === '-f') {
      hub(['patch', ...args, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      hub(['delete', ...args, '--ignore-not-found', '--wait=false']);
    } else console.error(`cleanup: deleting ${what} failed: ${r.stderr}`);
  }
}, 300_000);

describe('CRDs on the hub', () => {
  it('are Established and serve the paygrid category', async () => {
    const names = await eventually('kubectl get paygrid to list the examples', () => {
      const r = hub(['get', 'paygrid', '-A', '-o', 'name']);
      const listed = r.stdout.split('\n').filter(Boolean);
      const want = [
        'edgesite.paygrid.io/edge-a',
        'edgesite.paygrid.io/edge-b',
        'cloudcluster.paygrid.io/cloud-eu',
        'paymentgateway.paygrid.io/checkout',
      ];
      return r.code === 0 && want.every((w) => listed.includes(w)) ? listed : undefined;
    });
    expect(names.length).toBeGreaterThanOrEqual(4);
  });

  it('apply defaults to what the examples leave out', () => {
    const site = JSON.parse(must(hub(['get', 'edgesite', 'edge-a', '-o', 'json']), 'get edge-a')) as Obj;
    expect(site.spec.probe).toEqual({
      periodSeconds: 2,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 2,
    });
    expect(site.spec.cordoned).toBe(false);
    expect(site.spec.kubeconfigSecretRef.key).toBe('kubeconfig');

    const minimal = {
      apiVersion: 'paygrid.io/v1alpha1',
      kind: 'PaymentGateway',
      metadata: { name: 'e2e-crd-defaults', namespace: example('PaymentGateway').metadata.namespace },
      spec: {
        authorization: { image: 'ghcr.io/paygrid/authorization:0.1.0' },
        ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
      },
    };
    const out = must(
      hub(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(minimal)),
      'dry-run create of a minimal PaymentGateway',
    );
    const spec = (JSON.parse(out) as Obj).spec;
    expect(spec.authorization).toMatchObject({
      replicas: 2,
      sites: 2,
      spreadBy: 'zone',
      authorizationsPerSecond: 100,
      siteSelector: {},
      standIn: {
        floorLimitMinor: 5000,
        maxOfflineCount: 100,
        maxOfflineAmountMinor: 100000,
        currency: 'EUR',
      },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
    expect(spec.ledger.replicas).toBe(1);
    // The Secret keys default to the file names the services read.
    const refs = {
      ...minimal,
      spec: {
        authorization: { ...minimal.spec.authorization, tokenizationKeySecretRef: { name: 'card-key' } },
        ledger: { ...minimal.spec.ledger, databaseSecretRef: { name: 'ledger-db' } },
        analytics: { image: 'ghcr.io/paygrid/analytics:0.2.0', databaseSecretRef: { name: 'analytics-db' } },
      },
    };
    const withRefs = (
      JSON.parse(
        must(
          hub(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(refs)),
          'dry-run create of a PaymentGateway naming its Secrets',
        ),
      ) as Obj
    ).spec;
    expect(withRefs.authorization.tokenizationKeySecretRef).toEqual({ name: 'card-key', key: 'key' });
    expect(withRefs.ledger.databaseSecretRef).toEqual({ name: 'ledger-db', key: 'url' });
    expect(withRefs.analytics.databaseSecretRef).toEqual({ name: 'analytics-db', key: 'url' });
    expect(spec.failover).toEqual({
      mode: 'Automatic',
      detectionWindowSeconds: 6,
      fallback: ['SameRegionEdge', 'AnyEdge'],
      failbackStabilizationSeconds: 60,
      paused: false,
    });
  });

  it('kubectl explain paymentgateway.spec.failover prints the field descriptions', async () => {
    const crd = parse(readFileSync(join(root, 'crds', 'paygrid.io_paymentgateways.yaml'), 'utf8')) as Obj;
    const failover = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.failover;
    const descriptions = [
      failover.description,
      ...Object.values(failover.properties).map((p) => (p as Obj).description),
    ];
    // The OpenAPI document is published a moment after the CRD is Established.
    const out = await eventually('kubectl explain to know spec.failover', () => {
      const r = hub(['explain', 'paymentgateway.spec.failover']);
      return r.code === 0 && r.stdout.includes('detectionWindowSeconds') ? r.stdout : undefined;
    });
    for (const name of Object.keys(failover.properties)) expect(out).toContain(name);
    for (const d of descriptions) expect(words(out)).toContain(words(d as string));
  });

  it('kubectl get shows the printer columns', () => {
    const header = (args: string[]) =>
      must(hub(['get', ...args]), `kubectl get ${args.join(' ')}`)
        .split('\n')[0]!
        .trim()
        .split(/\s+/);
    expect(header(['pgw', '-A'])).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'SERVING',
      'EPOCH',
      'FAILEDOVER',
      'AGE',
    ]);
    expect(header(['es'])).toEqual([
      'NAME',
      'REGION',
      'ZONE',
      'HEALTH',
      'READY',
      'PLACEMENTS',
      'VERSION',
      'AGE',
    ]);
    expect(header(['cc'])).toEqual([
      'NAME',
      'REGION',
      'PROVIDER',
      'HEALTH',
      'READY',
      'PLACEMENTS',
      'VERSION',
      'AGE',
    ]);
    const rows = must(hub(['get', 'pgw', '-A']), 'kubectl get pgw -A');
    expect(rows).toMatch(/^payments\s+checkout\s/m);
    expect(must(hub(['get', 'es']), 'kubectl get es')).toMatch(/^edge-a\s+eu-west\s+eu-west-a\s/m);
  });

  it('accept a valid change to a mutable field (dry run)', () => {
    const r = hub([
      'patch',
      'edgesite',
      'edge-a',
      '--type=merge',
      '-p',
      '{"spec":{"cordoned":true}}',
      '--dry-run=server',
    ]);
    expect(r).toMatchObject({ code: 0 });
  });
});

// ---------------------------------------------------------------- rejections

interface Rejection {
  name: string;
  /** Path the apiserver must name, as it prints it (spec.probe.timeoutSeconds). */
  field: string;
  /** Text the message must contain as well, for rules whose wording matters. */
  message?: RegExp;
  /** An object to create (dry run)... */
  create?: () => Obj;
  /** ...or a merge patch on an existing example object (dry run). */
  patch?: () => { args: string[]; body: Obj };
}

/** A copy of the example of a kind under a throwaway name, changed by `change`. */
function broken(kind: string, change: (o: Obj) => void): () => Obj {
  return () => {
    const o = structuredClone(example(kind));
    o.metadata.name = INVALID_NAME;
    change(o);
    return o;
  };
}
const site = (change: (spec: Obj) => void) => broken('EdgeSite', (o) => change(o.spec));
const cloud = (change: (spec: Obj) => void) => broken('CloudCluster', (o) => change(o.spec));
const gateway = (change: (spec: Obj) => void) => broken('PaymentGateway', (o) => change(o.spec));

/** Another value than the current one of a field, so the patch really changes it. */
function other(resource: string, jsonPath: string, candidates: string[]): string {
  const current = must(hub(['get', resource, '-o', `jsonpath={${jsonPath}}`]), `get ${resource}`);
  return candidates.find((c) => c !== current)!;
}

const rejections: Rejection[] = [
  // EdgeSite: required fields, formats, bounds, cross-field rules.
  {
    name: 'EdgeSite without region',
    field: 'spec.region',
    message: /Required value/,
    create: site((s) => delete s.region),
  },
  {
    name: 'EdgeSite without kubeconfigSecretRef',
    field: 'spec.kubeconfigSecretRef',
    message: /Required value/,
    create: site((s) => delete s.kubeconfigSecretRef),
  },
  {
    name: 'EdgeSite without endpoint',
    field: 'spec.endpoint',
    message: /Required value/,
    create: site((s) => delete s.endpoint),
  },
  {
    name: 'region that is not a DNS label',
    field: 'spec.region',
    create: site((s) => (s.region = 'EU_West')),
  },
  {
    name: 'endpoint with an ftp:// URL',
    field: 'spec.endpoint',
    create: site((s) => (s.endpoint = 'ftp://edge-a.pay.example.com')),
  },
  {
    name: 'endpoint without a scheme',
    field: 'spec.endpoint',
    create: site((s) => (s.endpoint = 'edge-a.pay.example.com')),
  },
  {
    name: 'endpoint without a host',
    field: 'spec.endpoint',
    message: /absolute http/,
    create: site((s) => (s.endpoint = 'https:///authorize')),
  },
  {
    name: 'workloads toleration with operator Exists and a value',
    field: 'spec.workloads.tolerations[0].value',
    message: /operator Exists has no value/,
    create: site(
      (s) => (s.workloads = { tolerations: [{ key: 'paygrid.io/node', operator: 'Exists', value: 'real' }] }),
    ),
  },
  {
    name: 'workloads toleration with an unknown effect',
    field: 'spec.workloads.tolerations[0].effect',
    create: site((s) => (s.workloads = { tolerations: [{ key: 'k', effect: 'NoRun' }] })),
  },
  {
    name: 'probe timeout longer than its period',
    field: 'spec.probe.timeoutSeconds',
    message: /must not exceed periodSeconds/,
    create: site((s) => (s.probe = { periodSeconds: 2, timeoutSeconds: 5 })),
  },
  {
    name: 'probe period of 0 seconds',
    field: 'spec.probe.periodSeconds',
    create: site((s) => (s.probe = { periodSeconds: 0 })),
  },
  {
    name: 'probe failureThreshold above 100',
    field: 'spec.probe.failureThreshold',
    create: site((s) => (s.probe = { failureThreshold: 101 })),
  },
  {
    name: 'site capacity of 0 authorizations per second',
    field: 'spec.capacity.authorizationsPerSecond',
    create: site((s) => (s.capacity = { authorizationsPerSecond: 0 })),
  },
  {
    name: 'latitude beyond the pole',
    field: 'spec.location.latitude',
    create: site((s) => (s.location = { latitude: 91, longitude: 0 })),
  },
  {
    name: 'location without longitude',
    field: 'spec.location.longitude',
    message: /Required value/,
    create: site((s) => (s.location = { latitude: 53.3 })),
  },
  {
    name: 'kubeconfig Secret name that is not a DNS subdomain',
    field: 'spec.kubeconfigSecretRef.name',
    create: site((s) => (s.kubeconfigSecretRef = { name: 'Paygrid_Member' })),
  },
  {
    name: 'misspelt field',
    field: 'spec.regoin',
    message: /not declared in schema|unknown field/,
    create: site((s) => (s.regoin = 'eu-west')),
  },

  // CloudCluster.
  {
    name: 'unknown cloud provider',
    field: 'spec.provider',
    message: /Unsupported value/,
    create: cloud((s) => (s.provider = 'alibaba')),
  },
  {
    name: 'CloudCluster without region',
    field: 'spec.region',
    message: /Required value/,
    create: cloud((s) => delete s.region),
  },
  {
    name: 'CloudCluster endpoint without a scheme',
    field: 'spec.endpoint',
    create: cloud((s) => (s.endpoint = 'ledger.example.com')),
  },
  {
    name: 'CloudCluster probe timeout longer than its period',
    field: 'spec.probe.timeoutSeconds',
    message: /must not exceed periodSeconds/,
    create: cloud((s) => (s.probe = { periodSeconds: 1, timeoutSeconds: 2 })),
  },

  // PaymentGateway: authorization.
  {
    name: 'gateway without authorization',
    field: 'spec.authorization',
    message: /Required value/,
    create: gateway((s) => delete s.authorization),
  },
  {
    name: 'authorization without image',
    field: 'spec.authorization.image',
    message: /Required value/,
    create: gateway((s) => delete s.authorization.image),
  },
  {
    name: 'image with an uppercase repository',
    field: 'spec.authorization.image',
    message: /image reference/,
    create: gateway((s) => (s.authorization.image = 'ghcr.io/PayGrid/authorization:0.1.0')),
  },
  {
    name: 'image with a space',
    field: 'spec.authorization.image',
    message: /image reference/,
    create: gateway((s) => (s.authorization.image = 'ghcr.io/paygrid/authorization:0.1 0')),
  },
  {
    name: 'ledger image with a truncated digest',
    field: 'spec.ledger.image',
    message: /image reference/,
    create: gateway((s) => (s.ledger.image = 'ghcr.io/paygrid/ledger@sha256:abc123')),
  },
  {
    name: 'analytics without image',
    field: 'spec.analytics.image',
    message: /Required value/,
    create: gateway((s) => delete s.analytics.image),
  },
  {
    name: 'zero authorization replicas',
    field: 'spec.authorization.replicas',
    create: gateway((s) => (s.authorization.replicas = 0)),
  },
  {
    name: 'more than 100 sites',
    field: 'spec.authorization.sites',
    create: gateway((s) => (s.authorization.sites = 101)),
  },
  {
    name: 'unknown spreadBy',
    field: 'spec.authorization.spreadBy',
    message: /Unsupported value/,
    create: gateway((s) => (s.authorization.spreadBy = 'rack')),
  },
  {
    name: 'lowercase currency',
    field: 'spec.authorization.standIn.currency',
    create: gateway((s) => (s.authorization.standIn.currency = 'eur')),
  },
  {
    name: 'four-letter currency',
    field: 'spec.authorization.standIn.currency',
    create: gateway((s) => (s.authorization.standIn.currency = 'EURO')),
  },
  {
    name: 'maxOfflineAmountMinor below floorLimitMinor',
    field: 'spec.authorization.standIn.maxOfflineAmountMinor',
    message: /at least floorLimitMinor/,
    create: gateway((s) =>
      Object.assign(s.authorization.standIn, { floorLimitMinor: 10000, maxOfflineAmountMinor: 5000 }),
    ),
  },
  {
    name: 'negative floorLimitMinor',
    field: 'spec.authorization.standIn.floorLimitMinor',
    create: gateway((s) => (s.authorization.standIn.floorLimitMinor = -1)),
  },
  {
    name: 'cpu request above the cpu limit',
    field: 'spec.authorization.resources.requests.cpu',
    message: /must not exceed limits\.cpu/,
    create: gateway((s) => (s.authorization.resources = { requests: { cpu: '2' }, limits: { cpu: '500m' } })),
  },
  {
    name: 'memory limit that is not a quantity',
    field: 'spec.authorization.resources.limits.memory',
    create: gateway((s) => (s.authorization.resources = { limits: { memory: 'lots' } })),
  },
  {
    name: 'selector requirement In without values',
    field: 'spec.authorization.siteSelector.matchExpressions[0].values',
    message: /values must be non-empty/,
    create: gateway(
      (s) =>
        (s.authorization.siteSelector = { matchExpressions: [{ key: 'paygrid.io/tier', operator: 'In' }] }),
    ),
  },

  // PaymentGateway: ledger.
  {
    name: 'ledger without primary',
    field: 'spec.ledger.primary',
    message: /Required value/,
    create: gateway((s) => delete s.ledger.primary),
  },
  {
    name: 'ledger primary also a standby',
    field: 'spec.ledger.standbys',
    message: /must not also be listed in standbys/,
    create: gateway((s) => (s.ledger.standbys = ['cloud-us', s.ledger.primary])),
  },
  {
    name: 'duplicate ledger standbys',
    field: 'spec.ledger.standbys',
    message: /[Dd]uplicate/,
    create: gateway((s) => (s.ledger.standbys = ['cloud-us', 'cloud-us'])),
  },
  {
    name: 'more than 20 ledger replicas',
    field: 'spec.ledger.replicas',
    create: gateway((s) => (s.ledger.replicas = 21)),
  },

  // PaymentGateway: the Secrets it names.
  {
    name: 'tokenization key Secret without a name',
    field: 'spec.authorization.tokenizationKeySecretRef.name',
    message: /Required value/,
    create: gateway((s) => (s.authorization.tokenizationKeySecretRef = { key: 'key' })),
  },
  {
    name: 'tokenization key Secret name that is not a DNS subdomain',
    field: 'spec.authorization.tokenizationKeySecretRef.name',
    create: gateway((s) => (s.authorization.tokenizationKeySecretRef = { name: 'Card_Key' })),
  },
  {
    name: 'tokenization key with a character a Secret key cannot have',
    field: 'spec.authorization.tokenizationKeySecretRef.key',
    create: gateway(
      (s) => (s.authorization.tokenizationKeySecretRef = { name: 'card-key', key: 'hmac key' }),
    ),
  },
  {
    name: 'ledger database Secret name that is not a DNS subdomain',
    field: 'spec.ledger.databaseSecretRef.name',
    create: gateway((s) => (s.ledger.databaseSecretRef = { name: 'Ledger DB' })),
  },
  {
    name: 'analytics database Secret without a name',
    field: 'spec.analytics.databaseSecretRef.name',
    message: /Required value/,
    create: gateway((s) => (s.analytics.databaseSecretRef = {})),
  },

  // PaymentGateway: failover.
  {
    name: 'unknown failover mode',
    field: 'spec.failover.mode',
    message: /Unsupported value/,
    create: gateway((s) => (s.failover.mode = 'Auto')),
  },
  {
    name: 'unknown fallback step',
    field: 'spec.failover.fallback[1]',
    message: /Unsupported value/,
    create: gateway((s) => (s.failover.fallback = ['SameRegionEdge', 'Nowhere'])),
  },
  {
    name: 'empty fallback',
    field: 'spec.failover.fallback',
    create: gateway((s) => (s.failover.fallback = [])),
  },
  {
    name: 'detection window above 600 seconds',
    field: 'spec.failover.detectionWindowSeconds',
    create: gateway((s) => (s.failover.detectionWindowSeconds = 601)),
  },
  {
    name: 'negative failback stabilization',
    field: 'spec.failover.failbackStabilizationSeconds',
    create: gateway((s) => (s.failover.failbackStabilizationSeconds = -1)),
  },

  // PaymentGateway: its name names workloads on every member.
  {
    name: 'gateway name starting with a digit',
    field: 'metadata.name',
    message: /must start with a letter/,
    create: broken('PaymentGateway', (o) => (o.metadata.name = '9checkout')),
  },
  {
    name: 'gateway name longer than 40 characters',
    field: 'metadata.name',
    message: /Too long/,
    create: broken('PaymentGateway', (o) => (o.metadata.name = `checkout-${'x'.repeat(32)}`)),
  },

  // Immutable fields, on the applied examples.
  {
    name: 'changing the region of an EdgeSite',
    field: 'spec.region',
    message: /immutable/,
    patch: () => ({
      args: ['edgesite', 'edge-a'],
      body: { spec: { region: other('edgesite/edge-a', '.spec.region', ['ap-south', 'us-east']) } },
    }),
  },
  {
    name: 'changing the region of a CloudCluster',
    field: 'spec.region',
    message: /immutable/,
    patch: () => ({
      args: ['cloudcluster', 'cloud-eu'],
      body: { spec: { region: other('cloudcluster/cloud-eu', '.spec.region', ['ap-south', 'us-east']) } },
    }),
  },
  {
    name: 'changing the provider of a CloudCluster',
    field: 'spec.provider',
    message: /immutable/,
    patch: () => ({
      args: ['cloudcluster', 'cloud-eu'],
      body: { spec: { provider: other('cloudcluster/cloud-eu', '.spec.provider', ['aws', 'gcp']) } },
    }),
  },
  {
    name: 'an unknown health in an EdgeSite status',
    field: 'status.health',
    message: /Unsupported value/,
    patch: () => ({
      args: ['edgesite', 'edge-a', '--subresource=status'],
      body: { status: { health: 'Dead' } },
    }),
  },
];

describe('the hub apiserver rejects invalid resources, naming the field', () => {
  it('has at least 24 cases', () => {
    expect(rejections.length).toBeGreaterThanOrEqual(24);
  });

  it('accepts the unbroken base objects (so each case fails for its own reason)', () => {
    for (const kind of ['EdgeSite', 'CloudCluster', 'PaymentGateway']) {
      const r = hub(
        ['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
        JSON.stringify(broken(kind, () => {})()),
      );
      expect({ kind, ...r }).toMatchObject({ kind, code: 0 });
    }
  });

  it.each(rejections.map((r) => [r.name, r] as const))('%s', (_name, c) => {
    let r: KubectlResult;
    if (c.create) {
      r = hub(
        ['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
        JSON.stringify(c.create()),
      );
    } else {
      const { args, body } = c.patch!();
      const ns = example(args[0] === 'edgesite' ? 'EdgeSite' : 'CloudCluster').metadata.namespace as
        string | undefined;
      r = hub([
        'patch',
        ...args,
        ...(ns ? ['-n', ns] : []),
        '--type=merge',
        '-p',
        JSON.stringify(body),
        '--dry-run=server',
      ]);
    }
    expect(r.code).not.toBe(0);
    // The apiserver prints "<field>: <what is wrong>" (server-side apply: ".<field>: ...").
    expect(r.stderr).toContain(`${c.field}:`);
    if (c.message) expect(r.stderr).toMatch(c.message);
  });
});

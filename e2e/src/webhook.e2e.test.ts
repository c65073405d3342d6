// The validating webhook against the real hub apiserver: the webhook runs as a local process
// (operator/dist/webhook/main.js) with the serving certificate the chart makes (its own CA)
// for a webhook reached by URL (`--set webhook.url=https://127.0.0.1:<port>`); the chart's
// ValidatingWebhookConfiguration, as rendered, calls it there, and every rule is exercised
// through `kubectl apply` / `kubectl delete`, asserting the message the user sees.
//
// Safety on a shared hub: the configuration only matches objects labelled with this run's id
// (objectSelector), so it can never judge anyone else's objects, even if this process dies
// before afterAll; afterAll deletes it first, whatever happened.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { freePort } from './harness/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextOf, kubeconfigPath, type KubectlResult } from './testbed/clusters.js';
import { chartWebhookForUrl } from './harness/helm.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = fileURLToPath(new URL('../../', import.meta.url));
const RUN = `wh-${Date.now().toString(36)}`;
const LABEL = 'paygrid.io/e2e-webhook';
/** The webhook process's "operator namespace" (its kubeconfig Secrets), and the gateways' namespace. */
const NS = process.env.PAYGRID_WEBHOOK_E2E_NAMESPACE ?? 'paygrid-webhook-e2e';
const VWC_NAME = `paygrid-e2e-${RUN}`;
/** Where the hub apiserver reaches this machine (the kind provider runs it in a container). */
const HOST = process.env.PAYGRID_E2E_WEBHOOK_HOST ?? '127.0.0.1';
const FIELD_MANAGER = 'paygrid-e2e-webhook';
const MARKER = 'sha256~e2e-secret-marker-never-echo';
const CRD_NAMES = ['edgesites.paygrid.io', 'cloudclusters.paygrid.io', 'paymentgateways.paygrid.io'];

/** kubectl against the hub, keeping stderr on success too (admission warnings go there). */
function hub(args: string[], stdin?: string): KubectlResult {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfigPath, '--context', contextOf('hub'), ...args], {
    input: stdin,
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function must(r: KubectlResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
const exists = (args: string[]) => {
  const r = hub(['get', ...args, '-o', 'name', '--ignore-not-found']);
  return r.code === 0 && r.stdout.trim() !== '';
};
const words = (s: string) => s.replace(/\s+/g, ' ').trim();
const name = (suffix: string) => `e2e-${RUN}-${suffix}`;
const labels = () => ({ [LABEL]: RUN });

async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 300));
  }
}

const KUBECONFIG_TEXT = `apiVersion: v1
kind: Config
clusters:
- name: dummy
  cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}
users:
- name: dummy
  user: {token: ${MARKER}}
contexts:
- name: dummy
  context: {cluster: dummy, user: dummy}
current-context: dummy
`;

function secret(secretName: string, data: Record<string, string>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace: NS, labels: labels() },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function edgeSite(siteName: string, secretName: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'EdgeSite',
    metadata: { name: siteName, labels: { ...labels(), 'paygrid.io/tier': `edge-${RUN}` } },
    spec: {
      region: 'eu-west',
      zone: 'eu-west-a',
      kubeconfigSecretRef: { name: secretName },
      endpoint: `https://${siteName}.pay.example.com`,
      ...extra,
    },
  };
}

function cloudCluster(clusterName: string, secretName?: string): Obj {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'CloudCluster',
    metadata: { name: clusterName, labels: labels() },
    spec: {
      region: 'eu-west',
      provider: 'other',
      endpoint: `https://${clusterName}.pay.example.com`,
      ...(secretName ? { kubeconfigSecretRef: { name: secretName } } : {}),
    },
  };
}

function gatewayObj(gwName: string, o: { image?: string; sites?: number } = {}): Obj {
  return {
    apiVersion: 'paygrid.io/v1alpha1',
    kind: 'PaymentGateway',
    metadata: { name: gwName, namespace: NS, labels: labels() },
    spec: {
      authorization: {
        image: o.image ?? 'ghcr.io/paygrid/authorization:0.1.0',
        sites: o.sites ?? 2,
        siteSelector: { matchLabels: { 'paygrid.io/tier': `edge-${RUN}` } },
      },
      ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: name('cloud') },
    },
  };
}

const apply = (obj: Obj, extra: string[] = []) => hub(['apply', '-f', '-', ...extra], JSON.stringify(obj));

/** The denial text as the user sees it, on one line. */
function denial(r: KubectlResult, webhook: string): string {
  expect(r.code).not.toBe(0);
  const text = words(r.stderr);
  expect(text).toContain(`admission webhook "${webhook}" denied the request`);
  return text;
}

let tmp = '';
let child: ChildProcess | undefined;
let port = 0;
let caPem = '';
const logs: string[] = [];
const created: { what: string; args: string[] }[] = [];

function httpsGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, ca: caPem, timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  // 1. The webhook's code, compiled (make build does it too; PAYGRID_E2E_NO_BUILD=1 skips it).
  if (process.env.PAYGRID_E2E_NO_BUILD !== '1') {
    try {
      execFileSync(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'operator'],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } catch (err) {
      const e = err as { stdout?: Buffer };
      throw new Error(`npx tsc -b operator failed:\n${e.stdout?.toString() ?? String(err)}`);
    }
  }
  const main = join(root, 'operator', 'dist', 'webhook', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run make build`);

  // 2. CRDs (only those missing; removed at the end only if this suite created them).
  const missing = CRD_NAMES.filter((n) => !exists(['crd', n]));
  for (const n of missing) {
    const file = join(root, 'crds', `paygrid.io_${n.split('.')[0]}.yaml`);
    must(hub(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]), `applying ${file}`);
    created.push({ what: `CRD ${n}`, args: ['crd', n] });
  }
  must(
    hub(['wait', '--for=condition=Established', '--timeout=60s', ...CRD_NAMES.map((n) => `crd/${n}`)]),
    'CRDs Established',
  );

  // 3. The namespace and the kubeconfig Secrets the rules look at.
  await eventually(
    `namespace ${NS} to finish terminating`,
    () => {
      const phase = hub([
        'get',
        'namespace',
        NS,
        '-o',
        'jsonpath={.status.phase}',
        '--ignore-not-found',
      ]).stdout;
      return phase === 'Terminating' ? undefined : true;
    },
    120_000,
  );
  if (!exists(['namespace', NS])) {
    must(hub(['create', 'namespace', NS]), `creating namespace ${NS}`);
    created.push({ what: `namespace ${NS}`, args: ['namespace', NS] });
  }
  for (const s of [
    secret(name('good'), { kubeconfig: KUBECONFIG_TEXT }),
    secret(name('temp'), { kubeconfig: KUBECONFIG_TEXT }),
    secret(name('nokey'), { config: KUBECONFIG_TEXT }),
    secret(name('broken'), { kubeconfig: `apiVersion: v1\nusers: [{name: x, user: {token: ${MARKER}}\n` }),
  ]) {
    must(apply(s), `Secret ${s.metadata.name}`);
  }

  // 4. The chart's webhook objects for a webhook reached by URL (webhook.url): its own CA and a
  //    serving certificate it signs for that host, and its ValidatingWebhookConfiguration calling
  //    the URL with that CA, limited to this run's objects. The release is named after the run,
  //    so nothing of a real install is touched.
  port = await freePort();
  const chartWebhook = chartWebhookForUrl(VWC_NAME, NS, `https://${HOST}:${port}`, labels());
  const vwc = chartWebhook.vwc;
  tmp = mkdtempSync(join(tmpdir(), 'paygrid-webhook-e2e-'));
  writeFileSync(join(tmp, 'tls.crt'), chartWebhook.cert, { mode: 0o600 });
  writeFileSync(join(tmp, 'tls.key'), chartWebhook.key, { mode: 0o600 });
  caPem = chartWebhook.ca;

  // 5. The webhook process.
  child = spawn(
    process.execPath,
    [
      main,
      `--cert-file=${join(tmp, 'tls.crt')}`,
      `--key-file=${join(tmp, 'tls.key')}`,
      `--bind-address=${HOST === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0'}:${port}`,
      `--kubeconfig=${kubeconfigPath}`,
      `--context=${contextOf('hub')}`,
      `--namespace=${NS}`,
      '--log-level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await eventually('the webhook to serve /healthz over TLS', async () => {
    if (child?.exitCode !== null)
      throw new Error(`webhook exited ${child?.exitCode}: ${logs.slice(-5).join('\n')}`);
    return (await httpsGet('/healthz')).status === 200 ? true : undefined;
  });

  // 6. The chart's ValidatingWebhookConfiguration, as rendered.
  expect(vwc.metadata.name).toBe(VWC_NAME);
  for (const w of vwc.webhooks as Obj[]) {
    expect(w.clientConfig.url).toMatch(
      new RegExp(`^https://${HOST.replace(/\./g, '\\.')}:${port}/validate/`),
    );
    expect(Buffer.from(w.clientConfig.caBundle as string, 'base64').toString()).toBe(caPem);
  }
  created.push({
    what: `ValidatingWebhookConfiguration ${VWC_NAME}`,
    args: ['validatingwebhookconfiguration', VWC_NAME],
  });
  must(apply(vwc), 'installing the ValidatingWebhookConfiguration');

  // 7. Wait until the apiserver calls it (its webhook informer picks it up within a second or two).
  await eventually('the apiserver to call the webhook', () => {
    const r = apply(edgeSite(name('probe'), name('missing')), ['--dry-run=server']);
    return r.code !== 0 && r.stderr.includes('denied the request') ? true : undefined;
  });
}, 180_000);

afterAll(async () => {
  // The webhook configuration first, whatever happened: then the process, then the objects.
  const errors: string[] = [];
  const remove = (what: string, args: string[]) => {
    const r = hub(['delete', ...args, '--ignore-not-found', '--wait=false']);
    if (r.code !== 0) errors.push(`${what}: ${r.stderr}`);
  };
  const vwc = created.find((c) => c.args[0] === 'validatingwebhookconfiguration');
  if (vwc) remove(vwc.what, vwc.args);
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([once(child, 'exit'), new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  for (const kind of ['paymentgateways.paygrid.io', 'edgesites.paygrid.io', 'cloudclusters.paygrid.io']) {
    if (!exists(['crd', kind])) continue;
    const scope = kind.startsWith('paymentgateways') ? ['-n', NS] : [];
    // No operator may be running: clear finalizers so nothing hangs.
    const list = hub(['get', kind, ...scope, '-l', `${LABEL}=${RUN}`, '-o', 'name']);
    for (const obj of list.stdout.split('\n').filter(Boolean)) {
      hub(['patch', obj, ...scope, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
    remove(`${kind} of run ${RUN}`, [kind, ...scope, '-l', `${LABEL}=${RUN}`]);
  }
  if (exists(['namespace', NS]))
    remove(`Secrets of run ${RUN}`, ['secret', '-n', NS, '-l', `${LABEL}=${RUN}`]);
  for (const c of [...created].reverse()) if (c !== vwc) remove(c.what, c.args);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (errors.length > 0) throw new Error(`cleanup failed:\n${errors.join('\n')}`);
}, 120_000);

describe('rule (a): kubeconfig Secrets', () => {
  it('denies an EdgeSite whose Secret does not exist, naming the field and the fix', () => {
    const text = denial(apply(edgeSite(name('no-secret'), name('missing'))), 'edgesites.validate.paygrid.io');
    expect(text).toContain(
      `EdgeSite ${name('no-secret')}: spec.kubeconfigSecretRef.name: Secret ${NS}/${name('missing')} not found: create it in the operator's namespace`,
    );
    expect(exists(['edgesite', name('no-secret')])).toBe(false);
  });

  it('denies a Secret without the key, naming spec.kubeconfigSecretRef.key', () => {
    const text = denial(apply(edgeSite(name('nokey'), name('nokey'))), 'edgesites.validate.paygrid.io');
    expect(text).toContain('spec.kubeconfigSecretRef.key');
    expect(text).toContain('its keys are "config"');
  });

  it('denies a kubeconfig that does not parse, without repeating the Secret', () => {
    const text = denial(apply(edgeSite(name('broken'), name('broken'))), 'edgesites.validate.paygrid.io');
    expect(text).toContain('is not valid YAML');
    expect(text).not.toContain(MARKER);
  });

  it('admits an EdgeSite whose Secret holds a kubeconfig', () => {
    must(apply(edgeSite(name('site-a'), name('good'))), 'a valid EdgeSite');
    expect(exists(['edgesite', name('site-a')])).toBe(true);
  });

  it('checks CloudClusters the same way, and lets one without a Secret (the hub) in', () => {
    const text = denial(
      apply(cloudCluster(name('cloud-bad'), name('missing'))),
      'cloudclusters.validate.paygrid.io',
    );
    expect(text).toContain(`CloudCluster ${name('cloud-bad')}: spec.kubeconfigSecretRef.name`);
    must(apply(cloudCluster(name('cloud'))), 'a CloudCluster without kubeconfigSecretRef');
  });

  it('never blocks changes that leave the Secret reference alone (ratcheting)', () => {
    must(apply(edgeSite(name('site-temp'), name('temp'))), 'EdgeSite with a temporary Secret');
    must(hub(['delete', 'secret', '-n', NS, name('temp')]), 'deleting its Secret');
    // A label change does not even reach the webhook (matchConditions); cordoning does, and passes.
    must(hub(['label', 'edgesite', name('site-temp'), 'extra=yes']), 'relabelling');
    must(
      hub(['patch', 'edgesite', name('site-temp'), '--type', 'merge', '-p', '{"spec":{"cordoned":true}}']),
      'cordoning',
    );
    const moved = hub([
      'patch',
      'edgesite',
      name('site-temp'),
      '--type',
      'merge',
      '-p',
      `{"spec":{"kubeconfigSecretRef":{"name":"${name('missing')}"}}}`,
    ]);
    expect(denial(moved, 'edgesites.validate.paygrid.io')).toContain(
      `Secret ${NS}/${name('missing')} not found`,
    );
  });
});

describe('rules (b) and (c): gateways', () => {
  it('warns, and admits, when the site selector cannot satisfy sites', () => {
    const r = apply(gatewayObj(name('gw')));
    must(r, 'a gateway whose selector matches fewer sites than it needs');
    expect(words(r.stderr)).toContain(
      `Warning: spec.authorization.siteSelector (paygrid.io/tier=edge-${RUN}) matches 1 uncordoned EdgeSite(s) [${name('site-a')}] and 1 cordoned, fewer than spec.authorization.sites=2`,
    );
  });

  it('denies an image reference the CRD pattern lets through, naming the field', () => {
    const bad = 'registry.example.com:99999/paygrid/authorization:0.1.0';
    const text = denial(
      apply(gatewayObj(name('gw-bad'), { image: bad, sites: 1 })),
      'paymentgateways.validate.paygrid.io',
    );
    expect(text).toContain(
      `spec.authorization.image: "${bad}" is not a valid image reference: the registry port 99999 is out of range`,
    );
  });

  it('warns about :latest', () => {
    const r = apply(gatewayObj(name('gw'), { image: 'ghcr.io/paygrid/authorization:latest', sites: 1 }));
    must(r, 'changing the image to :latest');
    expect(words(r.stderr)).toContain('uses the :latest tag');
  });
});

describe('rule (d): deleting a site that holds placements', () => {
  // Denials are checked with server-side dry runs (admission runs, nothing is deleted), and the
  // placements are set again before each try: an operator running against the same hub may
  // rewrite the gateway's status at any time.
  const site = () => name('site-a');
  const setPlacements = (placements: Obj[]) =>
    must(
      hub([
        'patch',
        'paymentgateway',
        name('gw'),
        '-n',
        NS,
        '--subresource=status',
        '--type',
        'merge',
        '-p',
        JSON.stringify({ status: { placements } }),
      ]),
      'setting status.placements',
    );
  const placement = (state: string) => ({
    component: 'authorization',
    member: site(),
    memberKind: 'EdgeSite',
    state,
    replicas: 2,
    readyReplicas: 2,
    since: '2025-01-31T12:00:00Z',
    reason: 'E2E',
  });
  const deniedWhileHolding = (state: string) =>
    eventually(`a denied delete of ${site()} holding a ${state} placement`, () => {
      setPlacements([placement(state)]);
      const r = hub(['delete', 'edgesite', site(), '--dry-run=server']);
      return r.code !== 0 ? r : undefined;
    });

  beforeAll(() => {
    // Ask any operator on this hub to leave the gateway alone as far as it can.
    must(
      hub([
        'patch',
        'paymentgateway',
        name('gw'),
        '-n',
        NS,
        '--type',
        'merge',
        '-p',
        '{"spec":{"failover":{"paused":true}}}',
      ]),
      'pausing',
    );
  });

  it('denies deleting an uncordoned site with an active placement, saying how to cordon it', async () => {
    const text = denial(await deniedWhileHolding('Active'), 'member-deletion.validate.paygrid.io');
    expect(text).toContain(
      `EdgeSite ${site()} still holds 1 placement(s) (${NS}/${name('gw')} authorization Active)`,
    );
    expect(text).toContain(
      `cordon it first: kubectl patch es ${site()} --type merge -p '{"spec":{"cordoned":true}}' and wait until its placements drain`,
    );
    expect(exists(['edgesite', site()])).toBe(true);
  });

  it('still denies once cordoned, while the placement drains', async () => {
    must(hub(['patch', 'es', site(), '--type', 'merge', '-p', '{"spec":{"cordoned":true}}']), 'cordoning');
    const text = denial(await deniedWhileHolding('Draining'), 'member-deletion.validate.paygrid.io');
    expect(text).toContain(
      'it is cordoned (spec.cordoned: true), so they are moving to other sites: wait until its placements drain',
    );
  });

  it('allows the delete once the site holds no placement', () => {
    setPlacements([]);
    must(hub(['delete', 'edgesite', site(), '--wait=false']), 'deleting the drained site');
    expect(exists(['edgesite', site()])).toBe(false);
  });
});

describe('the webhook process', () => {
  it('counts what it decided in its metrics', async () => {
    const res = await httpsGet('/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /paygrid_webhook_requests_total\{kind="EdgeSite",operation="CREATE",allowed="false"\} [1-9]/,
    );
    expect(res.body).toMatch(
      /paygrid_webhook_requests_total\{kind="EdgeSite",operation="DELETE",allowed="true"\} 1/,
    );
    expect(res.body).toMatch(
      /paygrid_webhook_duration_seconds_count\{kind="PaymentGateway",operation="CREATE"\} [1-9]/,
    );
  });

  it('answered every review well within the 5 s timeout, and logged no Secret', () => {
    const entries = logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Obj);
    const decided = entries.filter((e) => e.msg === 'admission allowed' || e.msg === 'admission denied');
    expect(decided.length).toBeGreaterThan(5);
    expect(Math.max(...decided.map((e) => e.ms as number))).toBeLessThan(3000);
    expect(logs.join('\n')).not.toContain(MARKER);
  });
});

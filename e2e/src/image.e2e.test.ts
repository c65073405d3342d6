// The operator image (operator/Dockerfile, built by `make image-local` on stand-ins for its
// base images) as a user runs it: what is in it, and the container itself on the testbed —
// read-only root filesystem, user 65532, no capabilities, the chart's ServiceAccount — taking
// a gateway through its life, judging admission for the real apiserver with the certificate and
// ValidatingWebhookConfiguration the chart makes, then SIGTERM: exit 0 and the leader Lease
// released.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './harness/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubectl, MEMBERS } from './testbed/clusters.js';
import { leaderLeaseHolder, OPERATOR_NAMESPACE, repo } from './harness/install.js';
import { ChartIdentity } from './harness/chart-identity.js';
import { chartWebhookForUrl } from './harness/helm.js';
import { waitFor } from './harness/wait.js';
import { applyTwoEdgeGateway, applyYaml, memberDeployments, waitReady } from './harness/gateways.js';

const IMAGE = process.env.E2E_IMAGE ?? 'localhost/paygrid/operator:e2e';
const CONTAINER = 'paygrid-image-e2e';
const NS = 'image-e2e';
const RELEASE = 'paygrid-image-e2e';
const identity = new ChartIdentity(RELEASE);
/** Where the hub apiserver reaches this machine (the kind provider runs it in a container). */
const WEBHOOK_HOST = process.env.PAYGRID_E2E_WEBHOOK_HOST ?? '127.0.0.1';
/** Only objects with this label go through this suite's webhook configuration. */
const SELECTOR = { 'paygrid.io/e2e-image': `run-${Date.now().toString(36)}` };
/** Host directories mounted into the container (a token and a test key): removed in afterAll. */
const tmpDirs: string[] = [];

function podman(args: string[]): string {
  const r = spawnSync('bash', [join(repo, 'e2e', 'image', 'podman.sh'), ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function must(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The chart identity's kubeconfig, self-contained (CA inlined) and readable by user 65532. */
function containerKubeconfig(): string {
  const kc = parse(readFileSync(identity.kubeconfig(), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
  };
  for (const { cluster } of kc.clusters) {
    const caFile = cluster['certificate-authority'];
    if (caFile) {
      cluster['certificate-authority-data'] = readFileSync(caFile).toString('base64');
      delete cluster['certificate-authority'];
    }
  }
  const dir = mountDir('paygrid-image-');
  const file = join(dir, 'kubeconfig');
  writeForContainer(file, stringify(kc));
  return file;
}

/** A host directory to mount into the container, removed in afterAll. */
function mountDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * Writes a secret file the container's user (65532) can read and nobody else: owned by 65532
 * with mode 0600 when this runs as root (rootful podman, as in CI); 0644 otherwise (rootless
 * podman maps 65532 to a sub-UID that only "other" bits reach; a short-lived test credential).
 */
function writeForContainer(file: string, content: string | Buffer): void {
  writeFileSync(file, content, { mode: 0o600 });
  if (process.getuid?.() === 0) chownSync(file, 65532, 65532);
  else chmodSync(file, 0o644);
}

interface ImageConfig {
  Size: number;
  Config: { User: string; Entrypoint: string[]; WorkingDir: string; Env: string[] };
}

beforeAll(() => {
  podman(['rm', '--force', '--ignore', CONTAINER]);
  identity.install();
  applyYaml('hub', `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`);
});

afterAll(() => {
  // The webhook configuration first: nothing may wait on a container that is gone.
  kubectl('hub', ['delete', 'validatingwebhookconfiguration', RELEASE, '--ignore-not-found']);
  podman(['rm', '--force', '--ignore', CONTAINER]);
  const bySelector = Object.entries(SELECTOR)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  kubectl('hub', ['delete', 'edgesites', '-l', bySelector, '--ignore-not-found', '--wait=false']);
  kubectl('hub', ['-n', OPERATOR_NAMESPACE, 'delete', 'secrets', '-l', bySelector, '--ignore-not-found']);
  identity.uninstall();
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('the image', () => {
  let files: string[] = [];
  let config: ImageConfig;

  beforeAll(() => {
    config = (JSON.parse(podman(['image', 'inspect', IMAGE])) as ImageConfig[])[0]!;
    const id = podman(['create', IMAGE]).trim();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'paygrid-image-fs-'));
      podman(['export', '--output', join(dir, 'fs.tar'), id]);
      const list = spawnSync('tar', ['-tf', join(dir, 'fs.tar')], { encoding: 'utf8', maxBuffer: 256 << 20 });
      files = list.stdout.split('\n').map((f) => f.replace(/^\.?\//, ''));
    } finally {
      podman(['rm', id]);
    }
  });

  test('runs node on the compiled operator as user 65532', () => {
    expect(config.Config.User).toBe('65532:65532');
    expect(config.Config.Entrypoint).toEqual(['/nodejs/bin/node', 'dist/main.js']);
    expect(config.Config.WorkingDir).toBe('/app/operator');
    expect(config.Config.Env).toContain('NODE_ENV=production');
    expect(files).toContain('app/operator/dist/main.js');
    expect(files).toContain('app/node_modules/@kubernetes/client-node/package.json');
    console.log(`image ${IMAGE}: ${(config.Size / 1e6).toFixed(0)} MB, ${files.length} files`);
  });

  test('holds no shell, no package manager, no dev dependencies, no tests, no TypeScript sources', () => {
    const offenders = files.filter(
      (f) =>
        /^(usr\/)?bin\/(sh|bash|dash)$/.test(f) ||
        /(^|\/)node_modules\/(npm|typescript|jest|eslint|prettier|ts-jest|@types|json-schema-to-typescript)\//.test(
          f,
        ) ||
        /^app\/operator\/(src|dist\/.*\.test\.js)/.test(f) ||
        /^app\/node_modules\/@paygrid\//.test(f) ||
        /^app\/operator\/dist\/.*\.d\.ts$/.test(f),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the container on the testbed', () => {
  let healthPort = 0;
  let metricsPort = 0;

  test('runs read-only as 65532 with no capabilities and takes a gateway through its life', async () => {
    healthPort = await freePort();
    metricsPort = await freePort();
    const routesPort = await freePort();
    const webhookPort = await freePort();
    const kubeconfig = containerKubeconfig();
    // The chart's certificate for a webhook reached at this URL, for 65532 only.
    const webhook = chartWebhookForUrl(
      RELEASE,
      OPERATOR_NAMESPACE,
      `https://${WEBHOOK_HOST}:${webhookPort}`,
      SELECTOR,
    );
    const tls = { dir: mountDir('paygrid-image-tls-') };
    writeForContainer(join(tls.dir, 'tls.crt'), webhook.cert);
    writeForContainer(join(tls.dir, 'tls.key'), webhook.key);
    podman([
      'run',
      '--detach',
      '--name',
      CONTAINER,
      // The testbed's apiservers and the members' fault proxies listen on the host's loopback.
      '--network=host',
      '--read-only',
      '--cap-drop=ALL',
      '--security-opt=no-new-privileges',
      '--volume',
      `${kubeconfig}:/etc/paygrid/kubeconfig:ro`,
      '--volume',
      `${tls.dir}:/etc/paygrid/webhook:ro`,
      '--env',
      'POD_NAME=image-e2e',
      IMAGE,
      '--kubeconfig=/etc/paygrid/kubeconfig',
      `--namespace=${OPERATOR_NAMESPACE}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      `--routes-bind-address=127.0.0.1:${routesPort}`,
      `--webhook-bind-address=${WEBHOOK_HOST === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0'}:${webhookPort}`,
      '--webhook-cert-file=/etc/paygrid/webhook/tls.crt',
      '--webhook-key-file=/etc/paygrid/webhook/tls.key',
      '--leader-elect=true',
    ]);
    const logs = () => podman(['logs', CONTAINER]);
    const running = () => podman(['inspect', '--format', '{{.State.Running}}', CONTAINER]).trim() === 'true';
    await waitFor('container /readyz', async () => {
      if (!running()) throw new Error(`container exited: ${logs().slice(-3000)}`);
      const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
      return res.ok;
    });

    // The process, as the kernel sees it: user 65532, no effective capabilities.
    const pid = podman(['inspect', '--format', '{{.State.Pid}}', CONTAINER]).trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('65532');
    expect(/^CapEff:\s+(\S+)/m.exec(status)?.[1]).toMatch(/^0+$/);

    // The apiserver calls the container's webhook through the chart's configuration and CA.
    must(
      'installing the chart webhook configuration',
      kubectl('hub', ['apply', '-f', '-'], JSON.stringify(webhook.vwc)),
    );
    const site = (name: string, secret: string) => ({
      apiVersion: 'paygrid.io/v1alpha1',
      kind: 'EdgeSite',
      metadata: { name, labels: SELECTOR },
      spec: {
        region: 'eu-west',
        kubeconfigSecretRef: { name: secret },
        endpoint: `https://${name}.example.com`,
        cordoned: true,
      },
    });
    const missing = await waitFor('the apiserver to call the webhook', () => {
      const r = kubectl(
        'hub',
        ['apply', '--dry-run=server', '-f', '-'],
        JSON.stringify(site('img-nosecret', 'img-missing')),
      );
      return r.code !== 0 && r.stderr.includes('denied the request') && r;
    });
    expect(missing.stderr).toContain(
      `admission webhook "edgesites.validate.paygrid.io" denied the request: EdgeSite img-nosecret: spec.kubeconfigSecretRef.name: Secret ${OPERATOR_NAMESPACE}/img-missing not found`,
    );
    const badImage = kubectl(
      'hub',
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'paygrid.io/v1alpha1',
        kind: 'PaymentGateway',
        metadata: { name: 'bad-image', namespace: NS, labels: SELECTOR },
        spec: {
          authorization: { image: 'registry.example.com:99999/paygrid/authorization:0.1.0', sites: 1 },
          ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
        },
      }),
    );
    expect(badImage.code).not.toBe(0);
    expect(badImage.stderr).toContain(
      'admission webhook "paymentgateways.validate.paygrid.io" denied the request',
    );
    expect(badImage.stderr).toContain('spec.authorization.image');
    // A Secret and the EdgeSite that references it, in one apply, are admitted: the webhook finds
    // the Secret in its cache or, when the cache has not caught up, reads it from the API (that
    // path: webhook/caches.test.ts).
    const kubeconfigText = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'x', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'x', user: { token: 'not-a-real-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
      'current-context': 'x',
    });
    const together = kubectl(
      'hub',
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'img-together', namespace: OPERATOR_NAMESPACE, labels: SELECTOR },
            stringData: { kubeconfig: kubeconfigText },
          },
          site('img-together', 'img-together'),
        ],
      }),
    );
    expect(together.stderr).toBe('');
    expect(together.code).toBe(0);

    // The leader identity is the pod name and a per-process UUID.
    await waitFor('the container leads', () => leaderLeaseHolder().startsWith('image-e2e_')).catch(
      (err: Error) => {
        throw new Error(
          `${err.message}\nholder: ${leaderLeaseHolder()}\ncontainer logs:\n${logs().slice(-4000)}`,
        );
      },
    );
    applyTwoEdgeGateway(NS, 'img');
    const gw = await waitReady(NS, 'img');
    expect(gw.status?.routes?.length).toBe(2);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^leader_election_master_status\{[^}]*\} 1$/m);
    expect(metrics).toMatch(
      /^paygrid_webhook_requests_total\{kind="EdgeSite",operation="CREATE",allowed="false"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^paygrid_webhook_requests_total\{kind="EdgeSite",operation="CREATE",allowed="true"\} [1-9]/m,
    );

    expect(must('delete', kubectl('hub', ['-n', NS, 'delete', 'pgw', 'img', '--timeout=60s']))).toContain(
      'deleted',
    );
    for (const m of MEMBERS) expect(memberDeployments(m, 'img')).toEqual([]);
    // Read-only root filesystem and no forbidden call: nothing in the logs complains.
    expect(
      logs()
        .split('\n')
        .filter((l) => /EROFS|read-only file system|forbidden|HTTP 403/i.test(l)),
    ).toEqual([]);
  });

  test('SIGTERM: the container exits 0 and releases the leader Lease', () => {
    const t0 = Date.now();
    // podman stop sends the image's stop signal (SIGTERM), then SIGKILL after --time.
    podman(['stop', '--time', '40', CONTAINER]);
    const stopMs = Date.now() - t0;
    const state = JSON.parse(podman(['inspect', '--format', '{{json .State}}', CONTAINER])) as {
      ExitCode: number;
      OOMKilled: boolean;
    };
    console.log(`container stop after SIGTERM: ${stopMs} ms, exit ${state.ExitCode}`);
    expect(state.ExitCode).toBe(0);
    expect(stopMs).toBeLessThan(30_000);
    expect(leaderLeaseHolder()).toBe('');
  });
});

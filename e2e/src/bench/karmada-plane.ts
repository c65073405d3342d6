// A Karmada control plane on the testbed, for the peer benchmark (karmada-bench.ts): one more
// kwokctl cluster, karmada-host, whose kube-apiserver + etcd are the Karmada apiserver (the same
// binaries as the testbed's), Karmada's CRDs applied from the Go module cache, and the
// aggregated apiserver (it serves cluster.karmada.io), controller manager and scheduler built by
// e2e/testbed/build-karmada.sh running as processes. The testbed's members are joined in Push mode
// the way `karmadactl join` does it: a Secret with a member token and CA, and a Cluster object.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigPath, memberKubeconfigPath, MEMBERS, testbedDir } from '../testbed/clusters.js';
import { repo } from '../harness/install.js';
import { waitFor } from '../harness/wait.js';

export const HOST = 'karmada-host';
export const HOST_CONTEXT = `kwok-${HOST}`;

function versions(): Record<string, string> {
  const text = readFileSync(join(repo, 'e2e', 'testbed', 'versions.env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
}

const V = versions();
export const karmadaVersion = V.KARMADA_VERSION!;
const tools = join(process.env.PAYGRID_CACHE ?? join(homedir(), '.cache', 'paygrid'), 'tools');
export const karmadaDir = join(tools, `karmada-${V.KARMADA_VERSION}`);
const kwokctl = join(tools, `kwok-${V.KWOK_VERSION}`, 'kwokctl');
const kwokEnv = { ...process.env, KWOK_WORKDIR: join(testbedDir, 'kwok') };

/** kubectl against a context of the testbed kubeconfig; throws with stderr on failure. */
export function kc(context: string, args: string[], stdin?: string): string {
  try {
    return execFileSync('kubectl', ['--kubeconfig', kubeconfigPath, '--context', context, ...args], {
      input: stdin,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 2 ** 20,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl --context ${context} ${args.slice(0, 4).join(' ')}: ${e.stderr || e.message}`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every *.yaml under a directory (Karmada's CRD bases are one folder per API group). */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return f.endsWith('.yaml') ? [p] : [];
  });
}

/** Karmada's module in the Go module cache (downloaded if missing): the CRDs come from there. */
function karmadaModuleDir(): string {
  const out = execFileSync(
    'go',
    ['mod', 'download', '-json', `github.com/karmada-io/karmada@${V.KARMADA_VERSION}`],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(out) as { Dir: string }).Dir;
}

export interface KarmadaProcess {
  name: string;
  child: ChildProcess;
  metricsPort?: number;
}

export class KarmadaPlane {
  readonly procs: KarmadaProcess[] = [];

  /** Creates karmada-host afresh, installs Karmada's API, starts its processes, joins the members. */
  async up(controllerArgs: string[], schedulerArgs: string[]): Promise<void> {
    for (const b of [
      'karmada-controller-manager',
      'karmada-scheduler',
      'karmada-aggregated-apiserver',
      'karmada-webhook',
    ]) {
      if (!existsSync(join(karmadaDir, b)))
        throw new Error(`missing ${join(karmadaDir, b)}: run e2e/testbed/build-karmada.sh`);
    }
    this.createHost();
    const mod = karmadaModuleDir();
    const crds = yamlFiles(join(mod, 'charts', 'karmada', '_crds', 'bases'));
    kc(HOST_CONTEXT, ['apply', '--server-side', ...crds.flatMap((f) => ['-f', f])]);
    kc(HOST_CONTEXT, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    await this.startAggregatedApiserver();
    const hostKubeconfig = join(testbedDir, 'karmada-host.kubeconfig');
    await this.startWebhook(mod, hostKubeconfig);
    this.start('karmada-controller-manager', [
      `--kubeconfig=${hostKubeconfig}`,
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--health-probe-bind-address=127.0.0.1:${await freePort()}`,
      ...controllerArgs,
    ]);
    this.start('karmada-scheduler', [
      `--kubeconfig=${hostKubeconfig}`,
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--health-probe-bind-address=127.0.0.1:${await freePort()}`,
      '--enable-scheduler-estimator=false',
      ...schedulerArgs,
    ]);
    this.joinMembers();
    await waitFor(
      'every member Cluster Ready in Karmada',
      () => {
        const out = kc(HOST_CONTEXT, ['get', 'clusters.cluster.karmada.io', '-o', 'json']);
        const items = (JSON.parse(out) as { items: ClusterObject[] }).items;
        return items.length === MEMBERS.length && items.every((c) => clusterReady(c) === 'True');
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  }

  private createHost(): void {
    const existing = execFileSync(kwokctl, ['get', 'clusters'], { env: kwokEnv, encoding: 'utf8' });
    // Always a fresh one: a host left by an interrupted bench holds bindings whose finalizers no
    // controller removes any more.
    if (existing.split('\n').includes(HOST)) {
      execFileSync(kwokctl, ['delete', 'cluster', '--name', HOST, '--kubeconfig', kubeconfigPath], {
        env: kwokEnv,
        stdio: 'ignore',
      });
    }
    const kb = join(tools, `kubernetes-${V.KUBE_VERSION}`);
    // Karmada's own kube-controller-manager runs only the controllers its apiserver needs (its
    // artifacts/deploy/kube-controller-manager.yaml), no kube-scheduler and no nodes: the host's
    // Deployments are templates for the members, never ReplicaSets or pods on the host.
    const config = join(testbedDir, 'kwokctl-karmada-host.yaml');
    writeFileSync(
      config,
      `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
componentsPatches:
  - name: kube-controller-manager
    extraArgs:
      - { key: controllers, value: 'namespace,garbagecollector,serviceaccount-token,ttl-after-finished,bootstrapsigner,csrapproving,csrcleaner,csrsigning,clusterrole-aggregation', override: true }
`,
    );
    execFileSync(
      kwokctl,
      [
        'create',
        'cluster',
        '--name',
        HOST,
        '--runtime',
        'binary',
        '--kubeconfig',
        kubeconfigPath,
        '--kube-apiserver-binary',
        join(kb, 'kube-apiserver'),
        '--kube-controller-manager-binary',
        join(kb, 'kube-controller-manager'),
        '--kube-scheduler-binary',
        join(kb, 'kube-scheduler'),
        '--etcd-binary',
        join(tools, `etcd-${V.ETCD_VERSION}`, 'etcd'),
        '--kwok-controller-binary',
        join(tools, `kwok-${V.KWOK_VERSION}`, 'kwok'),
        '--kube-authorization=true',
        '--disable',
        'kube-scheduler,kwok-controller',
        '--config',
        config,
        '--wait',
        '120s',
      ],
      { env: kwokEnv, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }

  /** The etcd of karmada-host, as kwokctl started it (plain http on localhost). */
  private etcdUrl(): string {
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    const line = ps
      .split('\n')
      .find((l) => l.includes(`/clusters/${HOST}/`) && l.includes('--etcd-servers='));
    const m = line && /--etcd-servers=(\S+)/.exec(line);
    if (!m) throw new Error(`cannot find the etcd of ${HOST} in the kube-apiserver's arguments`);
    return m[1]!;
  }

  // The aggregated apiserver stores Cluster objects in the host's etcd (as Karmada's own install
  // does); the APIService reaches it through an ExternalName Service, with its self-signed
  // serving certificate not verified (bench only).
  private async startAggregatedApiserver(): Promise<void> {
    const port = await freePort();
    const hostKubeconfig = join(testbedDir, 'karmada-host.kubeconfig');
    execFileSync('bash', ['-c', `${kwokctl} get kubeconfig --name ${HOST} > ${hostKubeconfig}`], {
      env: kwokEnv,
    });
    this.start('karmada-aggregated-apiserver', [
      `--kubeconfig=${hostKubeconfig}`,
      `--authentication-kubeconfig=${hostKubeconfig}`,
      `--authorization-kubeconfig=${hostKubeconfig}`,
      `--etcd-servers=${this.etcdUrl()}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(testbedDir, 'karmada-aggregated-apiserver-certs')}`,
      '--audit-log-path=-',
    ]);
    kc(
      HOST_CONTEXT,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Namespace
metadata: { name: karmada-system }
---
apiVersion: v1
kind: Service
metadata: { name: karmada-aggregated-apiserver, namespace: karmada-system }
spec: { type: ExternalName, externalName: localhost }
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1alpha1.cluster.karmada.io }
spec:
  group: cluster.karmada.io
  version: v1alpha1
  groupPriorityMinimum: 2000
  versionPriority: 10
  insecureSkipTLSVerify: true
  service: { name: karmada-aggregated-apiserver, namespace: karmada-system, port: ${port} }
`,
    );
    await waitFor(
      'the cluster.karmada.io API served',
      () => {
        kc(HOST_CONTEXT, ['get', 'clusters.cluster.karmada.io']);
        return true;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  }

  // karmada-webhook does more than validate: on create it gives policies and bindings the
  // permanent ids that tie policies, bindings and works together (without them every binding
  // takes every work for its own). Its configuration is Karmada's own
  // (artifacts/deploy/webhook-configuration.yaml), pointed at the local process and its
  // self-signed certificate.
  private async startWebhook(mod: string, hostKubeconfig: string): Promise<void> {
    const port = await freePort();
    const certDir = join(testbedDir, 'karmada-webhook-certs');
    mkdirSync(certDir, { recursive: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'tls.key'),
        '-out',
        join(certDir, 'tls.crt'),
      ],
      { stdio: 'ignore' },
    );
    this.start('karmada-webhook', [
      `--kubeconfig=${hostKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--health-probe-bind-address=127.0.0.1:${await freePort()}`,
      // Needed for the bench's ClusterTaintPolicy with a NoExecute taint (failover).
      '--allow-no-execute-taint-policy=true',
    ]);
    // It registers no health checks (/readyz answers 404): ready once its TLS port accepts.
    await waitFor('karmada-webhook listening', () => accepts(port), { timeoutMs: 60_000, intervalMs: 500 });
    const ca = readFileSync(join(certDir, 'tls.crt')).toString('base64');
    const config = readFileSync(join(mod, 'artifacts', 'deploy', 'webhook-configuration.yaml'), 'utf8')
      .replaceAll('https://karmada-webhook.karmada-system.svc:443/', `https://127.0.0.1:${port}/`)
      .replaceAll('{{caBundle}}', ca);
    kc(HOST_CONTEXT, ['apply', '-f', '-'], config);
  }

  private start(name: string, args: string[]): void {
    const log = createWriteStream(join(testbedDir, 'logs', `${name}.log`), { flags: 'a' });
    const child = spawn(join(karmadaDir, name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const port = args
      .find((a) => a.startsWith('--metrics-bind-address='))
      ?.split(':')
      .pop();
    this.procs.push({ name, child, metricsPort: port ? Number(port) : undefined });
  }

  // Push mode, as karmadactl join does it: a ServiceAccount with cluster-admin on the member, its
  // token and the member's CA in a Secret in karmada-cluster, and a Cluster pointing at the
  // member's endpoint (the testbed's fault proxy, which the bench's crash goes through too).
  private joinMembers(): void {
    kc(
      HOST_CONTEXT,
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: karmada-cluster }\n',
    );
    for (const m of MEMBERS) {
      const ctx = `kwok-${m}`;
      kc(
        ctx,
        ['apply', '-f', '-'],
        `apiVersion: v1
kind: ServiceAccount
metadata: { name: karmada-bench, namespace: kube-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: karmada-bench }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: karmada-bench, namespace: kube-system }]
`,
      );
      const token = kc(ctx, [
        '-n',
        'kube-system',
        'create',
        'token',
        'karmada-bench',
        '--duration=48h',
      ]).trim();
      const cfg = new KubeConfig();
      cfg.loadFromFile(memberKubeconfigPath(m));
      const cluster = cfg.getCurrentCluster();
      if (!cluster?.caData) throw new Error(`${memberKubeconfigPath(m)}: no server CA data`);
      kc(
        HOST_CONTEXT,
        ['apply', '-f', '-'],
        `apiVersion: v1
kind: Secret
metadata: { name: ${m}, namespace: karmada-cluster }
data:
  token: ${Buffer.from(token).toString('base64')}
  caBundle: ${cluster.caData}
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: { name: ${m} }
spec:
  syncMode: Push
  apiEndpoint: ${cluster.server}
  secretRef: { namespace: karmada-cluster, name: ${m} }
`,
      );
    }
  }

  /** Stops the Karmada processes (the host cluster goes with the testbed's `down`). */
  async down(): Promise<void> {
    for (const p of this.procs) {
      if (p.child.exitCode !== null) continue;
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      await exited;
    }
  }
}

export interface ClusterObject {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

export function clusterReady(c: ClusterObject): string | undefined {
  return c.status?.conditions?.find((x) => x.type === 'Ready')?.status;
}

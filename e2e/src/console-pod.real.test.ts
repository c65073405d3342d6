/// <reference lib="dom" />
// `kubectl paygrid console` the way an SRE runs it (issue 13, "on the demo shows the page"): the
// operator installed by the Helm chart runs as a real pod, and the command finds the leader pod
// from its Lease, port-forwards to it (apiserver → kubelet → containerd) and prints the URL, which
// real Chromium loads to see the example gateway Ready.
//
// The hub gets a real node for this suite (e2e/testbed/real-node.sh, as the members have one on
// the real-node testbed), with the operator image imported into its containerd. The testbed has
// no kube-proxy and no cluster DNS, so the pod reaches the apiservers on the host through the
// node's bridge address, under the name their certificates carry ("kubernetes"): a hostAlias and
// KUBERNETES_SERVICE_HOST for the hub, member kubeconfigs with that host for the members (the
// fault proxies listen on the host's loopback only). Everything else is the chart as shipped.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { contextOf, kubeconfigPath, kubectl, MEMBERS, testbedDir } from './testbed/clusters.js';
import { hasRealNodes } from './testbed/real-nodes.js';
import { getGateway, isReady } from './harness/gateways.js';
import {
  applyExampleGateway,
  applyMembers,
  leaderLeaseHolder,
  memberIdentityKubeconfig,
  memberSecretJson,
  must,
  OPERATOR_NAMESPACE,
  registerMemberSecrets,
  repo,
} from './harness/install.js';
import { helmBinary } from './harness/tools.js';
import { waitFor } from './harness/wait.js';

const NS = 'payments';
const RELEASE = 'paygrid';
const IMAGE = process.env.E2E_IMAGE ?? 'localhost/paygrid/operator:e2e';
// After the members (1..4 in TESTBED_MEMBERS order, testbed.sh): bridge pg-hub, node address 10.88.5.1.
const HUB_INDEX = '5';
const HUB_NODE_IP = `10.88.${HUB_INDEX}.1`;
const ARTIFACTS = join(repo, 'e2e', 'artifacts');

const env = { ...process.env, PAYGRID_TESTBED_DIR: testbedDir };
const realNode = (...args: string[]) =>
  execFileSync('bash', [join(repo, 'e2e', 'testbed', 'real-node.sh'), ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const helm = (args: string[]) => {
  try {
    return execFileSync(
      helmBinary(),
      ['--kubeconfig', kubeconfigPath, '--kube-context', contextOf('hub'), ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`helm ${args[0]}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
};

/** The apiserver address of a cluster in the testbed kubeconfig, with the host the pod uses. */
function serverPort(cluster: (typeof MEMBERS)[number] | 'hub'): string {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { name: string; cluster: { server: string } }[];
  };
  const c = kc.clusters.find((x) => x.name === contextOf(cluster));
  if (!c) throw new Error(`no cluster ${contextOf(cluster)} in ${kubeconfigPath}`);
  return new URL(c.cluster.server).port;
}

/** The member's kubeconfig as registerMemberSecrets makes it, but reaching it from the pod. */
function podMemberSecret(m: (typeof MEMBERS)[number]): string {
  const kc = parse(memberIdentityKubeconfig(m)) as { clusters: { cluster: Record<string, string> }[] };
  for (const c of kc.clusters) {
    c.cluster.server = `https://kubernetes:${serverPort(m)}`;
    delete c.cluster['tls-server-name'];
  }
  return memberSecretJson(m, stringify(kc));
}

let browser: Browser | undefined;
let cli: ChildProcessWithoutNullStreams | undefined;
let installed = false;
let hubNode = false;

describe('kubectl paygrid console against the chart-installed operator pod', () => {
  beforeAll(async () => {
    if (!hasRealNodes())
      throw new Error('this suite needs the real-node testbed: PAYGRID_REAL_NODES=1 (make test-real-pods)');
    mkdirSync(ARTIFACTS, { recursive: true });
    // The hub's real node: real-node.sh reads <dir>/members/<name>.direct.kubeconfig.
    const hubKubeconfig = join(testbedDir, 'members', 'hub.direct.kubeconfig');
    writeFileSync(
      hubKubeconfig,
      must(
        'hub kubeconfig',
        kubectl('hub', ['config', 'view', '--minify', '--flatten', '--context', contextOf('hub')]),
      ),
      { mode: 0o600 },
    );
    hubNode = true;
    realNode('up', 'hub', HUB_INDEX);
    realNode('wait', 'hub');
    // The operator image into the hub node's containerd (the members' import carries the workloads').
    const tarDir = join(tmpdir(), `paygrid-operator-image-${process.pid}`);
    mkdirSync(tarDir, { recursive: true });
    const tar = join(tarDir, 'operator.tar');
    execFileSync('bash', [join(repo, 'e2e', 'image', 'podman.sh'), 'save', '-q', '-o', tar, IMAGE]);
    execFileSync('ctr', [
      '-a',
      join(testbedDir, 'real', 'hub', 'containerd.sock'),
      '-n',
      'k8s.io',
      'images',
      'import',
      tar,
    ]);
    rmSync(tarDir, { recursive: true, force: true });

    for (const m of MEMBERS)
      must(`pod secret for ${m}`, kubectl('hub', ['apply', '--server-side', '-f', '-'], podMemberSecret(m)));
    applyMembers();
    const [repository, tag] = IMAGE.split(':');
    installed = true;
    helm([
      'install',
      RELEASE,
      join(repo, 'charts', 'paygrid'),
      '--namespace',
      OPERATOR_NAMESPACE,
      '--set',
      `image.repository=${repository},image.tag=${tag},image.pullPolicy=Never,replicaCount=1`,
      // The apiserver reaches webhooks through Service IPs, which need the kube-proxy it lacks.
      '--set',
      'webhook.enabled=false',
      '--set-json',
      'nodeSelector={"paygrid.io/node":"real"}',
      '--set-json',
      'tolerations=[{"key":"paygrid.io/node","operator":"Equal","value":"real","effect":"NoSchedule"}]',
      '--set-json',
      `operator.extraEnv=[{"name":"KUBERNETES_SERVICE_HOST","value":"kubernetes"},{"name":"KUBERNETES_SERVICE_PORT","value":"${serverPort('hub')}"}]`,
    ]);
    must(
      'hostAlias for the apiservers',
      kubectl('hub', [
        '-n',
        OPERATOR_NAMESPACE,
        'patch',
        'deployment',
        RELEASE,
        '--type=strategic',
        '-p',
        JSON.stringify({
          spec: { template: { spec: { hostAliases: [{ ip: HUB_NODE_IP, hostnames: ['kubernetes'] }] } } },
        }),
      ]),
    );
    await waitFor(
      'the operator pod Ready on hub-real, holding the Lease',
      () => {
        const holder = leaderLeaseHolder();
        const pod = holder.split('_')[0] ?? '';
        if (!pod.startsWith(`${RELEASE}-`)) return false;
        const p = kubectl('hub', [
          '-n',
          OPERATOR_NAMESPACE,
          'get',
          'pod',
          pod,
          '-o',
          'jsonpath={.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status}',
        ]).stdout;
        return p === 'hub-real True';
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    applyExampleGateway();
    await waitFor('checkout Ready', () => isReady(getGateway(NS, 'checkout')), { timeoutMs: 180_000 });
  }, 600_000);

  afterAll(async () => {
    cli?.kill('SIGTERM');
    await browser?.close();
    kubectl('hub', ['-n', NS, 'delete', 'pgw', 'checkout', '--ignore-not-found', '--timeout=60s']);
    if (installed) {
      try {
        helm(['uninstall', RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '2m']);
      } catch (err) {
        console.error(String(err));
      }
    }
    registerMemberSecrets(); // the baseline's, through the fault proxies
    if (hubNode) realNode('down', 'hub');
    rmSync(join(testbedDir, 'members', 'hub.direct.kubeconfig'), { force: true });
  }, 300_000);

  it('port-forwards to the leader pod, prints the URL, and the page shows the gateway Ready', async () => {
    cli = spawn(
      process.execPath,
      [join(repo, 'operator', 'dist', 'cli', 'kubectl-paygrid.js'), '--context', contextOf('hub'), 'console'],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath } },
    );
    let out = '';
    cli.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    cli.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const url = await waitFor(
      'kubectl paygrid console to print the URL',
      () => /paygrid console of (\S+) \(leader\): (http:\/\/127\.0\.0\.1:\d+\/ui\/)/.exec(out) ?? undefined,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const holder = leaderLeaseHolder();
    expect(holder.startsWith(`${url[1]}_`)).toBe(true);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url[2]!);
    await page.waitForSelector('tr[data-gateway="payments/checkout"] [data-ready]');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Live');
    expect(await page.textContent('tr[data-gateway="payments/checkout"] [data-ready]')).toBe('Ready');
    expect(await page.textContent('tr[data-gateway="payments/checkout"] [data-serving]')).toBe(
      (getGateway(NS, 'checkout')?.status?.routes ?? []).map((r) => r.member).join(', '),
    );
    for (const m of MEMBERS)
      expect(await page.textContent(`tr[data-site="${m}"] [data-health]`)).toMatch(/^Healthy/);
    await page.screenshot({ path: join(ARTIFACTS, 'console-pod.png'), fullPage: true });

    // Ctrl-C ends the port-forward and the command, successfully.
    const exited = new Promise<number | null>((r) => cli!.once('exit', (code) => r(code)));
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    cli = undefined;
  });
});

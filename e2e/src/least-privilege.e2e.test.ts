// The operator with exactly the chart's hub permissions: the chart's
// ServiceAccount and RBAC are rendered and applied, the operator runs as a
// local process with a token for that ServiceAccount, and a gateway goes
// through its whole life (place, Ready, delete, cleaned) without a single
// forbidden call.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubeconfigPath, kubectl, MEMBERS } from './testbed/clusters.js';
import { OPERATOR_NAMESPACE, repo } from './harness/install.js';
import { OperatorProcess } from './harness/operator-process.js';
import { waitFor } from './harness/wait.js';
import { applyYaml, getGateway, isReady, memberDeployments } from './harness/gateways.js';

const RELEASE = 'paygrid-lp-e2e';
const NS = 'lp-e2e';
const versions = readFileSync(join(repo, 'e2e', 'testbed', 'versions.env'), 'utf8');
const helmVersion = /HELM_VERSION=(\S+)/.exec(versions)![1];
const helm =
  process.env.PAYGRID_HELM ??
  join(
    process.env.PAYGRID_CACHE ?? join(homedir(), '.cache', 'paygrid'),
    'tools',
    `helm-${helmVersion}`,
    'helm',
  );

let rbacYaml = '';
let operator: OperatorProcess | undefined;

function must(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A kubeconfig for the hub that authenticates as the chart's ServiceAccount, and nothing else. */
function serviceAccountKubeconfig(): string {
  const token = must(
    'token',
    kubectl('hub', ['-n', OPERATOR_NAMESPACE, 'create', 'token', RELEASE, '--duration=1h']),
  ).trim();
  const admin = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    'current-context': string;
    contexts: { name: string; context: { cluster: string } }[];
    clusters: { name: string; cluster: Record<string, string> }[];
  };
  const ctx = admin.contexts.find((c) => c.name === admin['current-context'])!;
  const cluster = admin.clusters.find((c) => c.name === ctx.context.cluster)!;
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'hub', cluster: cluster.cluster }],
    users: [{ name: RELEASE, user: { token } }],
    contexts: [{ name: 'hub', context: { cluster: 'hub', user: RELEASE } }],
    'current-context': 'hub',
  };
  const file = join(mkdtempSync(join(tmpdir(), 'paygrid-lp-')), 'kubeconfig');
  writeFileSync(file, stringify(kc), { mode: 0o600 });
  return file;
}

beforeAll(() => {
  rbacYaml = execFileSync(
    helm,
    [
      'template',
      RELEASE,
      join(repo, 'charts', 'paygrid'),
      '--namespace',
      OPERATOR_NAMESPACE,
      '--kube-version',
      '1.35.0',
      '--show-only',
      'templates/serviceaccount.yaml',
      '--show-only',
      'templates/rbac.yaml',
    ],
    { encoding: 'utf8' },
  );
  applyYaml('hub', rbacYaml);
  applyYaml('hub', `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`);
});

afterAll(async () => {
  await operator?.stop();
  kubectl('hub', ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], rbacYaml);
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
});

test('the chart ServiceAccount cannot read Secrets elsewhere nor escalate', () => {
  const as = ['--as', `system:serviceaccount:${OPERATOR_NAMESPACE}:${RELEASE}`];
  const can = (...args: string[]) => kubectl('hub', ['auth', 'can-i', ...args, ...as]).stdout.trim();
  expect(can('list', 'secrets', '-n', OPERATOR_NAMESPACE)).toBe('yes');
  expect(can('get', 'secrets', '-n', 'kube-system')).toBe('no');
  expect(can('create', 'clusterrolebindings')).toBe('no');
  expect(can('patch', 'paymentgateways.paygrid.io/status', '-n', NS)).toBe('yes');
  expect(can('delete', 'paymentgateways.paygrid.io', '-n', NS)).toBe('no');
});

test('a gateway lives its whole life under the chart permissions, with no forbidden call', async () => {
  operator = await new OperatorProcess({
    identity: 'least-privilege',
    kubeconfig: serviceAccountKubeconfig(),
  }).start();
  applyYaml(
    'hub',
    `apiVersion: paygrid.io/v1alpha1
kind: PaymentGateway
metadata: { name: lp, namespace: ${NS} }
spec:
  authorization:
    image: ghcr.io/paygrid/authorization:0.1.0
    sites: 2
    siteSelector: { matchLabels: { paygrid.io/tier: edge } }
  ledger: { image: ghcr.io/paygrid/ledger:0.1.0, primary: cloud-eu }
`,
  );
  const gw = await waitFor('lp Ready', () => {
    const g = getGateway(NS, 'lp');
    return isReady(g) && g;
  });
  expect(gw.status?.routes?.length).toBe(2);
  // Member status writes, Events and the lease all went through too.
  const es = JSON.parse(must('es', kubectl('hub', ['get', 'es', 'edge-a', '-o', 'json'])));
  expect(es.status.health).toBe('Healthy');
  expect(must('delete', kubectl('hub', ['-n', NS, 'delete', 'pgw', 'lp', '--timeout=60s']))).toContain(
    'deleted',
  );
  for (const m of MEMBERS) expect(memberDeployments(m, 'lp')).toEqual([]);
  const denied = operator.logs.filter((l) => /forbidden|Forbidden|HTTP 403/.test(l));
  expect(denied).toEqual([]);
});

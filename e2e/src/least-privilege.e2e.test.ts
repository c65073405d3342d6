// The operator with exactly the chart's hub permissions: the chart's
// ServiceAccount and RBAC are rendered and applied, the operator runs as a
// local process with a token for that ServiceAccount, and a gateway goes
// through its whole life (place, Ready, delete, cleaned) without a single
// forbidden call. (The operator-core suite runs under this identity too.)
import { kubectl, MEMBERS } from './testbed/clusters.js';
import { OPERATOR_NAMESPACE } from './harness/install.js';
import { ChartIdentity } from './harness/chart-identity.js';
import { OperatorProcess } from './harness/operator-process.js';
import { applyTwoEdgeGateway, applyYaml, memberDeployments, waitReady } from './harness/gateways.js';

const RELEASE = 'paygrid-lp-e2e';
const NS = 'lp-e2e';
const identity = new ChartIdentity(RELEASE);
let operator: OperatorProcess | undefined;

function must(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

beforeAll(() => {
  identity.install();
  applyYaml('hub', `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`);
});

afterAll(async () => {
  await operator?.stop();
  identity.uninstall();
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
});

test('the chart ServiceAccount cannot enumerate Secrets elsewhere nor escalate', () => {
  const as = ['--as', identity.serviceAccount];
  const can = (...args: string[]) => kubectl('hub', ['auth', 'can-i', ...args, ...as]).stdout.trim();
  expect(can('list', 'secrets', '-n', OPERATOR_NAMESPACE)).toBe('yes');
  // A gateway's Secrets are read by name wherever the gateway is; never listed or watched there.
  expect(can('get', 'secrets', '-n', NS)).toBe('yes');
  expect(can('list', 'secrets', '-n', 'kube-system')).toBe('no');
  expect(can('watch', 'secrets', '-n', NS)).toBe('no');
  expect(can('create', 'secrets', '-n', OPERATOR_NAMESPACE)).toBe('no');
  expect(can('create', 'clusterrolebindings')).toBe('no');
  expect(can('patch', 'paymentgateways.paygrid.io', '--subresource=status', '-n', NS)).toBe('yes');
  expect(can('update', 'paymentgateways.paygrid.io', '--subresource=status', '-n', NS)).toBe('no');
  expect(can('get', 'paymentgateways.paygrid.io', '-n', NS)).toBe('no');
  expect(can('delete', 'paymentgateways.paygrid.io', '-n', NS)).toBe('no');
});

test('a gateway lives its whole life under the chart permissions, with no forbidden call', async () => {
  operator = await new OperatorProcess({
    identity: 'least-privilege',
    kubeconfig: identity.kubeconfig(),
  }).start();
  applyTwoEdgeGateway(NS, 'lp');
  const gw = await waitReady(NS, 'lp');
  expect(gw.status?.routes?.length).toBe(2);
  // Member status writes, Events and the lease all went through too.
  const es = JSON.parse(must('es', kubectl('hub', ['get', 'es', 'edge-a', '-o', 'json'])));
  expect(es.status.health).toBe('Healthy');
  expect(must('delete', kubectl('hub', ['-n', NS, 'delete', 'pgw', 'lp', '--timeout=60s']))).toContain(
    'deleted',
  );
  for (const m of MEMBERS) expect(memberDeployments(m, 'lp')).toEqual([]);
  const denied = operator.refusedCalls();
  expect(denied).toEqual([]);
});

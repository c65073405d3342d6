// Upgrading a running install from the previous chart version to this one, the way the chart
// README says (new CRDs first, then `helm upgrade`), while payments run: a gateway placed and
// Ready on the members, driven by an operator that authenticates as the release's own
// ServiceAccount. The upgrade must keep every paygrid resource, write nothing on any member,
// and leave the operator able to do its work under the new chart's RBAC without a restart.
//
// The previous chart is read from git at the commit that released it (PREVIOUS_CHART), so the
// suite needs the repository's history (a clean clone has it; a shallow clone fails here,
// saying so). The release's pods are KWOK stand-ins, so the operator runs as a local process
// with a token of the release's ServiceAccount.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { contextOf, kubeconfigPath, kubectl, MEMBERS } from './testbed/clusters.js';
import { OPERATOR_NAMESPACE, repo } from './harness/install.js';
import { serviceAccountKubeconfig } from './harness/chart-identity.js';
import { helmBinary } from './harness/tools.js';
import { OperatorProcess } from './harness/operator-process.js';
import { waitFor } from './harness/wait.js';
import {
  applyTwoEdgeGateway,
  applyYaml,
  getGateway,
  isReady,
  memberDeployments,
  memberObjectVersions,
  patchGateway,
  waitReady,
} from './harness/gateways.js';

/** The chart version before this one, and the commit of this repository that holds it. */
const PREVIOUS_CHART = { version: '0.1.0', commit: 'ec29257c363b12b98eaf13d20ecd3848fee96a3a' };
const RELEASE = 'paygrid-upgrade-e2e';
const NS = 'upgrade-e2e';
const GW = 'upg';
const RUN = `upg-${Date.now().toString(36)}`;
const CRDS = ['edgesites.paygrid.io', 'cloudclusters.paygrid.io', 'paymentgateways.paygrid.io'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[], cwd?: string): Result {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
function must(what: string, r: Result): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
const helm = (args: string[]) =>
  run(helmBinary(), ['--kubeconfig', kubeconfigPath, '--kube-context', contextOf('hub'), ...args]);

/** Values both versions are installed with: the KWOK pods serve no webhook, so route none to it. */
const VALUES = [
  '--namespace',
  OPERATOR_NAMESPACE,
  '--set-json',
  `webhook.objectSelector={"matchLabels":{"paygrid.io/e2e-upgrade":"${RUN}-none"}}`,
  '--wait',
  '--timeout',
  '3m',
];

let tmp = '';
let operator: OperatorProcess | undefined;
let installed = false;
const uid = (args: string[]) =>
  must('uid', kubectl('hub', ['get', ...args, '-o', 'jsonpath={.metadata.uid}']));

beforeAll(() => {
  if (helm(['status', RELEASE, '--namespace', OPERATOR_NAMESPACE]).code === 0)
    throw new Error(`release ${RELEASE} already exists in ${OPERATOR_NAMESPACE}: uninstall it first`);
  tmp = mkdtempSync(join(tmpdir(), 'paygrid-upgrade-'));
  const known = run('git', ['-C', repo, 'cat-file', '-e', `${PREVIOUS_CHART.commit}^{commit}`]);
  if (known.code !== 0) {
    throw new Error(
      `cannot read chart ${PREVIOUS_CHART.version}: git commit ${PREVIOUS_CHART.commit} is not in ${repo} ` +
        `(a shallow clone? run 'git fetch --unshallow'): ${known.stderr}`,
    );
  }
  must(
    'unpacking the previous chart',
    run('bash', [
      '-c',
      `git -C '${repo}' archive ${PREVIOUS_CHART.commit} charts/paygrid | tar -x -C '${tmp}'`,
    ]),
  );
  applyYaml('hub', `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`);
}, 60_000);

afterAll(async () => {
  await operator?.stop();
  if (getGateway(NS, GW)) {
    // No operator left to run the finalizer: let the gateway go.
    kubectl('hub', [
      '-n',
      NS,
      'patch',
      'pgw',
      GW,
      '--type',
      'merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    kubectl('hub', ['-n', NS, 'delete', 'pgw', GW, '--ignore-not-found']);
  }
  if (installed) helm(['uninstall', RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '2m']);
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 180_000);

describe(`helm upgrade from chart ${PREVIOUS_CHART.version}`, () => {
  const previousChart = () => join(tmp, 'charts', 'paygrid');
  let before: Record<string, string> = {};
  let gatewayUid = '';
  let routes: unknown;
  let epoch: number | undefined;

  test(`installs chart ${PREVIOUS_CHART.version} and runs a gateway under its ServiceAccount`, async () => {
    const meta = parse(readFileSync(join(previousChart(), 'Chart.yaml'), 'utf8')) as { version: string };
    expect(meta.version).toBe(PREVIOUS_CHART.version);
    must(`helm install ${PREVIOUS_CHART.version}`, helm(['install', RELEASE, previousChart(), ...VALUES]));
    installed = true;
    operator = await new OperatorProcess({
      identity: 'upgrade',
      kubeconfig: serviceAccountKubeconfig(RELEASE),
    }).start();
    applyTwoEdgeGateway(NS, GW);
    const gw = await waitReady(NS, GW);
    gatewayUid = gw.metadata!.uid!;
    routes = gw.status?.routes;
    epoch = gw.status?.epoch;
    expect((routes as unknown[]).length).toBe(2);
    // Converged: the operator writes nothing more on the members (apply is content-hashed), so a
    // snapshot of their resourceVersions taken now must hold across the upgrade.
    before = await waitFor('member objects to settle', async () => {
      const a = memberObjectVersions(GW);
      await new Promise((r) => setTimeout(r, 2000));
      const b = memberObjectVersions(GW);
      return JSON.stringify(a) === JSON.stringify(b) && Object.keys(a).length > 0 && b;
    });
  }, 240_000);

  test('new CRDs, then helm upgrade: every paygrid resource kept, nothing written on a member', () => {
    const crdUids = CRDS.map((c) => uid(['crd', c]));
    must(
      'applying the new CRDs',
      kubectl('hub', ['apply', '--server-side', '-f', join(repo, 'charts', 'paygrid', 'crds')]),
    );
    const current = parse(readFileSync(join(repo, 'charts', 'paygrid', 'Chart.yaml'), 'utf8')) as {
      version: string;
    };
    must('helm upgrade', helm(['upgrade', RELEASE, join(repo, 'charts', 'paygrid'), ...VALUES]));
    const history = JSON.parse(
      must('helm history', helm(['history', RELEASE, '--namespace', OPERATOR_NAMESPACE, '-o', 'json'])),
    ) as { revision: number; chart: string; status: string }[];
    expect(history.map((h) => h.chart)).toEqual([
      `paygrid-${PREVIOUS_CHART.version}`,
      `paygrid-${current.version}`,
    ]);
    expect(history.at(-1)!.status).toBe('deployed');

    expect(CRDS.map((c) => uid(['crd', c]))).toEqual(crdUids);
    for (const es of ['edge-a', 'edge-b']) expect(uid(['es', es])).not.toBe('');
    expect(uid(['-n', NS, 'pgw', GW])).toBe(gatewayUid);
    const gw = getGateway(NS, GW)!;
    expect(isReady(gw)).toBe(true);
    expect(gw.status?.routes).toEqual(routes);
    expect(gw.status?.epoch).toBe(epoch);
    expect(memberObjectVersions(GW)).toEqual(before);
  }, 240_000);

  test('the operator keeps working under the new RBAC, without a restart, and refuses nothing', async () => {
    patchGateway(NS, GW, { spec: { authorization: { replicas: 3 } } });
    await waitFor('authorization scaled to 3 on both edges', () =>
      ['edge-a', 'edge-b'].every((m) =>
        memberDeployments(m as (typeof MEMBERS)[number], GW).some((d) => d.replicas === 3),
      ),
    );
    await waitFor(`${GW} Ready again`, () => isReady(getGateway(NS, GW)));
    must('deleting the gateway', kubectl('hub', ['-n', NS, 'delete', 'pgw', GW, '--timeout=60s']));
    for (const m of MEMBERS) expect(memberDeployments(m, GW)).toEqual([]);
    expect(operator!.logs.filter((l) => /forbidden|HTTP 403/i.test(l))).toEqual([]);
  }, 240_000);

  test('helm uninstall keeps the CRDs', () => {
    must('helm uninstall', helm(['uninstall', RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait']));
    installed = false;
    for (const c of CRDS) expect(uid(['crd', c])).not.toBe('');
  }, 180_000);
});

// Upgrading a running install from the previous release to this one, the way the chart README
// says (new CRDs first, then `helm upgrade`), while payments run. The previous release is read
// from git at the commit that made it (PREVIOUS): its chart is installed, and its operator code,
// compiled here, runs as the release's ServiceAccount with a gateway placed and Ready on the
// members. Then the upgrade:
//   - every paygrid resource is kept, the webhook certificate and CA too (no forced renewal);
//   - the previous operator keeps working under the new chart's RBAC (it scales the gateway);
//   - the new operator takes over from it, as the Deployment's rollout does, and writes nothing
//     on any member for a converged gateway but the Deployments this release renders anew; it
//     then works under the new RBAC (scale, delete);
//   - no operator was refused a call.
// The release's pods are KWOK stand-ins, so the operators run as local processes with a token
// of the release's ServiceAccount. A clean clone holds the history this needs; a shallow one
// fails here, saying so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  memberObjectWrites,
  patchGateway,
  waitReady,
} from './harness/gateways.js';

/** The release before this one: its chart version, and the commit of this repository that made it. */
const PREVIOUS = { chartVersion: '0.1.0', commit: 'ec29257c363b12b98eaf13d20ecd3848fee96a3a' };
const RELEASE = 'paygrid-upgrade-e2e';
const NS = 'upgrade-e2e';
const GW = 'upg';
const RUN = `upg-${Date.now().toString(36)}`;
const CRDS = ['edgesites.paygrid.io', 'cloudclusters.paygrid.io', 'paymentgateways.paygrid.io'];
const EDGES = ['edge-a', 'edge-b'] as const;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
function must(what: string, r: Result): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
const helm = (args: string[]) =>
  run(helmBinary(), ['--kubeconfig', kubeconfigPath, '--kube-context', contextOf('hub'), ...args]);
const get = (args: string[], path: string) =>
  must(`get ${args.join(' ')}`, kubectl('hub', ['get', ...args, '-o', `jsonpath=${path}`]));
const scaledTo = (n: number) =>
  EDGES.every((m) => memberDeployments(m, GW).some((d) => d.replicas === n && d.readyReplicas === n));

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
let installed = false;
const operators: OperatorProcess[] = [];
const kubeconfigs: string[] = [];

/** Extracts `paths` of PREVIOUS.commit under tmp. */
function fromPreviousCommit(paths: string[]): void {
  must(
    `reading ${paths.join(', ')} at ${PREVIOUS.commit}`,
    run('bash', [
      '-c',
      `set -o pipefail; git -C '${repo}' archive ${PREVIOUS.commit} ${paths.join(' ')} | tar -x -C '${tmp}'`,
    ]),
  );
}

/** The previous operator, compiled against this checkout's dependencies. */
function buildPreviousOperator(): string {
  fromPreviousCommit([
    'tsconfig.base.json',
    'operator/package.json',
    'operator/tsconfig.json',
    'operator/src',
  ]);
  symlinkSync(join(repo, 'node_modules'), join(tmp, 'node_modules'));
  symlinkSync(join(repo, 'operator', 'node_modules'), join(tmp, 'operator', 'node_modules'));
  must(
    'compiling the previous operator',
    run(process.execPath, [
      join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(tmp, 'operator'),
    ]),
  );
  const main = join(tmp, 'operator', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} was not built`);
  return main;
}

async function startOperator(identity: string, main?: string): Promise<OperatorProcess> {
  const kc = serviceAccountKubeconfig(RELEASE);
  kubeconfigs.push(dirname(kc));
  const p = new OperatorProcess({ identity, kubeconfig: kc, ...(main ? { main } : {}) });
  operators.push(p);
  return p.start();
}

beforeAll(() => {
  if (helm(['status', RELEASE, '--namespace', OPERATOR_NAMESPACE]).code === 0)
    throw new Error(`release ${RELEASE} already exists in ${OPERATOR_NAMESPACE}: uninstall it first`);
  const known = run('git', ['-C', repo, 'cat-file', '-e', `${PREVIOUS.commit}^{commit}`]);
  if (known.code !== 0) {
    throw new Error(
      `git commit ${PREVIOUS.commit} (chart ${PREVIOUS.chartVersion}) is not in ${repo} ` +
        `(a shallow clone? run 'git fetch --unshallow'): ${known.stderr}`,
    );
  }
  tmp = mkdtempSync(join(tmpdir(), 'paygrid-upgrade-'));
  applyYaml('hub', `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`);
}, 60_000);

afterAll(async () => {
  // The gateway goes while an operator still runs, so its finalizer cleans the members.
  const live = operators.find((p) => !p.exited);
  if (live && getGateway(NS, GW)) kubectl('hub', ['-n', NS, 'delete', 'pgw', GW, '--timeout=60s']);
  for (const p of operators) await p.stop();
  if (getGateway(NS, GW)) {
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
  // After the operators: the uninstall invalidates their tokens.
  if (installed) helm(['uninstall', RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '2m']);
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  for (const d of [tmp, ...kubeconfigs]) if (d) rmSync(d, { recursive: true, force: true });
}, 240_000);

describe(`upgrade from chart ${PREVIOUS.chartVersion} under a live gateway`, () => {
  let previousOperator: OperatorProcess;
  let writes: Record<string, string> = {};
  const kept: Record<string, string> = {};
  let routes: unknown;
  let epoch: number | undefined;

  test(`chart ${PREVIOUS.chartVersion} and its operator run a gateway`, async () => {
    fromPreviousCommit(['charts/paygrid']);
    const chart = join(tmp, 'charts', 'paygrid');
    const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { version: string };
    expect(meta.version).toBe(PREVIOUS.chartVersion);
    const main = buildPreviousOperator();
    installed = true; // from here on a release may exist, whatever helm answers
    must(`helm install ${PREVIOUS.chartVersion}`, helm(['install', RELEASE, chart, ...VALUES]));
    previousOperator = await startOperator('upgrade-previous', main);
    applyTwoEdgeGateway(NS, GW);
    const gw = await waitReady(NS, GW);
    routes = gw.status?.routes;
    epoch = gw.status?.epoch;
    expect((routes as unknown[]).length).toBe(2);
    writes = memberObjectWrites(GW);
    expect(Object.keys(writes).length).toBeGreaterThan(0);
    kept.gateway = gw.metadata!.uid!;
    for (const c of CRDS) kept[c] = get(['crd', c], '{.metadata.uid}');
    kept.cert = get(['secret', `${RELEASE}-webhook-tls`, '-n', OPERATOR_NAMESPACE], "{.data['tls\\.crt']}");
    kept.caBundle = get(['validatingwebhookconfiguration', RELEASE], '{.webhooks[0].clientConfig.caBundle}');
  }, 240_000);

  test('new CRDs, then helm upgrade: resources, certificate and member objects untouched', () => {
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
    ) as { chart: string; status: string }[];
    expect(history.map((h) => `${h.chart} ${h.status}`)).toEqual([
      `paygrid-${PREVIOUS.chartVersion} superseded`,
      `paygrid-${current.version} deployed`,
    ]);
    expect(get(['-n', NS, 'pgw', GW], '{.metadata.uid}')).toBe(kept.gateway);
    for (const c of CRDS) expect(get(['crd', c], '{.metadata.uid}')).toBe(kept[c]);
    expect(get(['secret', `${RELEASE}-webhook-tls`, '-n', OPERATOR_NAMESPACE], "{.data['tls\\.crt']}")).toBe(
      kept.cert,
    );
    expect(get(['validatingwebhookconfiguration', RELEASE], '{.webhooks[0].clientConfig.caBundle}')).toBe(
      kept.caBundle,
    );
    const gw = getGateway(NS, GW)!;
    expect(isReady(gw)).toBe(true);
    expect(gw.status?.routes).toEqual(routes);
    expect(gw.status?.epoch).toBe(epoch);
    expect(memberObjectWrites(GW)).toEqual(writes);
  }, 240_000);

  test('the previous operator keeps working under the new RBAC', async () => {
    patchGateway(NS, GW, { spec: { authorization: { replicas: 3 } } });
    await waitFor('authorization at 3 replicas on both edges', () => scaledTo(3));
    await waitReady(NS, GW);
    expect(previousOperator.refusedCalls()).toEqual([]);
  }, 240_000);

  test('the new operator takes over without a write on any member, then does its work', async () => {
    writes = memberObjectWrites(GW);
    routes = getGateway(NS, GW)?.status?.routes;
    // As the rollout does: the old pod stops (SIGTERM releases the Lease), a new one leads.
    expect(await previousOperator.stop('SIGTERM')).toBe(0);
    const next = await startOperator('upgrade-current');
    await waitFor(
      'the new operator to lead',
      async () => (await next.metric('leader_election_master_status')) === 1,
    );
    await waitReady(NS, GW);
    // A converged gateway: the new operator re-applies nothing it renders the same (its apply is
    // content-hashed on the members' live objects, not on memory it does not have). This release
    // renders the payment pods anew (probes on /livez and /readyz, the Secret and journal volumes),
    // so each Deployment rolls once and nothing else is written.
    await waitFor('the new operator to have reconciled the gateway through', async () => {
      const done = (result: string) =>
        next.metric('controller_runtime_reconcile_total', { controller: 'paymentgateway', result });
      return (await done('success')) + (await done('requeue_after')) > 0;
    });
    const after = memberObjectWrites(GW);
    const changed = Object.keys(after).filter((k) => after[k] !== writes[k]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(writes).sort());
    expect(changed.filter((k) => !k.includes(':Deployment/'))).toEqual([]);
    expect(getGateway(NS, GW)?.status?.routes).toEqual(routes);

    patchGateway(NS, GW, { spec: { authorization: { replicas: 2 } } });
    await waitFor('authorization back at 2 replicas on both edges', () => scaledTo(2));
    must('deleting the gateway', kubectl('hub', ['-n', NS, 'delete', 'pgw', GW, '--timeout=60s']));
    for (const m of MEMBERS) expect(memberDeployments(m, GW)).toEqual([]);
    expect(next.refusedCalls()).toEqual([]);
  }, 240_000);
});

// kubectl-paygrid (operator/dist/cli/kubectl-paygrid.js) against the real hub apiserver: the
// read-only commands, cordon/uncordon, and a move request, on resources of its own (EdgeSites
// cli-e2e-a/-b, namespace cli-e2e) whose status the suite writes itself, so no operator is needed
// and the shared example resources are left alone. Everything it creates is removed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installCrds, repo } from './harness/install.js';
import { contextOf, kubeconfigPath, kubectl } from './testbed/clusters.js';

const CLI = join(repo, 'operator', 'dist', 'cli', 'kubectl-paygrid.js');
const NS = 'cli-e2e';
const SITES = ['cli-e2e-a', 'cli-e2e-b'];
const GATEWAY = 'cli-gw';

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function hub(args: string[], stdin?: string): string {
  const r = kubectl('hub', args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function cleanup(): void {
  // An operator that ran meanwhile may have put its finalizer on the gateway, and could not clean up
  // on sites that have no kubeconfig Secret: take it off, or the namespace would stay Terminating.
  kubectl('hub', [
    'patch',
    'paymentgateway',
    GATEWAY,
    '-n',
    NS,
    '--type=merge',
    '-p',
    '{"metadata":{"finalizers":null}}',
  ]);
  kubectl('hub', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=60s']);
  for (const s of SITES) kubectl('hub', ['delete', 'edgesite', s, '--ignore-not-found']);
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -b operator first`);
  installCrds();
  cleanup();
  for (const [i, s] of SITES.entries()) {
    hub(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'paygrid.io/v1alpha1',
        kind: 'EdgeSite',
        metadata: { name: s, labels: { 'paygrid.io/e2e': 'cli' } },
        spec: {
          region: 'eu-west',
          zone: `eu-west-${i}`,
          kubeconfigSecretRef: { name: `cli-e2e-${s}` },
          endpoint: `https://${s}.example.com`,
        },
      }),
    );
    const t = now();
    hub([
      'patch',
      'edgesite',
      s,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          health: 'Healthy',
          healthSince: t,
          kubernetesVersion: 'v1.33.4+k3s1',
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Healthy', message: '', lastTransitionTime: t },
          ],
        },
      }),
    ]);
  }
  hub(['create', 'namespace', NS]);
  hub(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'paygrid.io/v1alpha1',
      kind: 'PaymentGateway',
      metadata: { name: GATEWAY, namespace: NS },
      spec: {
        authorization: {
          image: 'ghcr.io/paygrid/authorization:0.1.0',
          sites: 1,
          siteSelector: { matchLabels: { 'paygrid.io/e2e': 'cli' } },
        },
        ledger: { image: 'ghcr.io/paygrid/ledger:0.1.0', primary: 'cloud-eu' },
        failover: { mode: 'Manual' },
      },
    }),
  );
  const t = now();
  hub([
    'patch',
    'paymentgateway',
    GATEWAY,
    '-n',
    NS,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        epoch: 1,
        routes: [{ member: 'cli-e2e-a', endpoint: 'https://cli-e2e-a.example.com', priority: 0 }],
        placements: [
          {
            component: 'authorization',
            member: 'cli-e2e-a',
            memberKind: 'EdgeSite',
            state: 'Active',
            replicas: 2,
            readyReplicas: 2,
            since: t,
            reason: 'Selected',
          },
        ],
      },
    }),
  ]);
}, 120_000);

afterAll(() => cleanup(), 120_000);

/** The suite writes the status itself; an operator reconciling the same hub would rewrite it. */
function assertNoOperator(): void {
  const finalizers = hub([
    'get',
    'paymentgateway',
    GATEWAY,
    '-n',
    NS,
    '-o',
    'jsonpath={.metadata.finalizers}',
  ]);
  if (finalizers.includes('paygrid.io/cleanup')) {
    throw new Error(
      'an operator is reconciling the hub: this suite needs none running (it writes status itself)',
    );
  }
}

describe('kubectl paygrid', () => {
  it('prints help and fails clearly on a bad command line', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Commands:');
    const bad = cli('frobnicate');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: unknown command "frobnicate"');
  });

  it('shows gateways, sites and placements', () => {
    const r = cli('--context', contextOf('hub'), 'status', '-n', NS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GATEWAY +READY +SERVING +EPOCH +FAILEDOVER +MODE +AGE$/m);
    expect(r.stdout).toMatch(/^cli-gw +Unknown +cli-e2e-a +1 +Unknown +Manual /m);
    expect(r.stdout).toMatch(/^cli-e2e-a +EdgeSite +eu-west +eu-west-0 +Healthy +True +0 +v1\.33\.4\+k3s1 /m);
    expect(r.stdout).toMatch(/^cli-gw +authorization +cli-e2e-a +Active +2\/2 +Selected /m);
  });

  it('drills a site with the planner, changing nothing', () => {
    assertNoOperator();
    const before = hub([
      'get',
      'paymentgateway',
      GATEWAY,
      '-n',
      NS,
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    const r = cli('--context', contextOf('hub'), 'drill', 'cli-e2e-a', '-n', NS);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`if EdgeSite cli-e2e-a failed now, ${NS}/${GATEWAY} would:`);
    expect(r.stdout).toContain('authorization on cli-e2e-a: Active → Lost (MemberUnreachable)');
    expect(r.stdout).toContain('This was a drill: nothing was changed.');
    expect(
      hub(['get', 'paymentgateway', GATEWAY, '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}']),
    ).toBe(before);
    expect(cli('drill', 'no-such-site').stderr).toContain(
      'error: no EdgeSite or CloudCluster named no-such-site',
    );
  });

  it('cordons and uncordons an EdgeSite', () => {
    const cordoned = () => hub(['get', 'edgesite', 'cli-e2e-b', '-o', 'jsonpath={.spec.cordoned}']);
    expect(cli('cordon', 'cli-e2e-b', '--dry-run').stdout).toContain('cordoned (dry run)');
    expect(cordoned()).toBe('false'); // the CRD's default
    const r = cli('cordon', 'cli-e2e-b');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('edgesite.paygrid.io/cli-e2e-b cordoned');
    expect(cordoned()).toBe('true');
    expect(cli('cordon', 'cli-e2e-b').stdout).toContain('already cordoned');
    expect(cli('uncordon', 'cli-e2e-b').stdout).toContain('edgesite.paygrid.io/cli-e2e-b uncordoned');
    expect(cordoned()).toBe('false');
    expect(cli('cordon', 'cloud-eu').stderr).toContain('only EdgeSites can be cordoned');
  });

  it('checks a move with the planner, then requests it with the annotation', () => {
    assertNoOperator();
    const refused = cli('move', GATEWAY, '-n', NS, '--from', 'cli-e2e-b', '--to', 'cli-e2e-a');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cli-e2e-b holds no authorization placement');
    const dry = cli('move', `${NS}/${GATEWAY}`, '--from', 'cli-e2e-a', '--to', 'cli-e2e-b', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('moves from cli-e2e-a to cli-e2e-b');
    const r = cli('move', GATEWAY, '-n', NS, '--from', 'cli-e2e-a', '--to', 'cli-e2e-b');
    expect(r.code).toBe(0);
    const value = hub([
      'get',
      'paymentgateway',
      GATEWAY,
      '-n',
      NS,
      '-o',
      'jsonpath={.metadata.annotations.paygrid\\.io/move-request}',
    ]);
    expect(JSON.parse(value)).toEqual({
      from: 'cli-e2e-a',
      to: 'cli-e2e-b',
      requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const again = cli('move', GATEWAY, '-n', NS, '--from', 'cli-e2e-a', '--to', 'cli-e2e-b');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a move request is already pending');
  });
});

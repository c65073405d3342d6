// The testbed itself: four real control planes whose Deployments really roll
// out, and faults that really cut a member off.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CLUSTERS, MEMBERS, kubectl, memberKubeconfigPath, provider } from './testbed/clusters.js';
import { crash, heal, partition, restore, testbedUp } from './testbed/faults.js';
import { waitFor } from './harness/wait.js';

function readyz(member: string, timeoutS = 2): { ok: boolean; out: string } {
  try {
    const out = execFileSync(
      'kubectl',
      [
        '--kubeconfig',
        memberKubeconfigPath(member as (typeof MEMBERS)[number]),
        'get',
        '--raw',
        '/readyz',
        `--request-timeout=${timeoutS}s`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { ok: out.trim() === 'ok', out };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) };
  }
}

describe('testbed', () => {
  test.each(CLUSTERS)('%s is a real apiserver with RBAC on and ready nodes', (c) => {
    const version = JSON.parse(kubectl(c, ['version', '-o', 'json']).stdout) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const rbac = kubectl(c, ['api-versions']).stdout;
    expect(rbac).toContain('rbac.authorization.k8s.io/v1');
    // An identity with no bindings is denied: authorization is really enforced.
    const denied = kubectl(c, [
      'auth',
      'can-i',
      'list',
      'secrets',
      '--as',
      'system:serviceaccount:default:nobody',
    ]);
    expect(denied.stdout.trim()).toBe('no');
    const nodes = JSON.parse(kubectl(c, ['get', 'nodes', '-o', 'json']).stdout) as {
      items: { status: { conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items.length).toBeGreaterThan(0);
    for (const n of nodes.items) {
      expect(n.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
    }
  });

  test.each(MEMBERS)('a Deployment on %s rolls out to Running and Ready pods', async (m) => {
    const ns = 'testbed-smoke';
    kubectl(m, ['create', 'namespace', ns]);
    kubectl(m, [
      '-n',
      ns,
      'create',
      'deployment',
      'smoke',
      '--image=registry.example/smoke:1',
      '--replicas=3',
    ]);
    const r = kubectl(m, ['-n', ns, 'rollout', 'status', 'deploy/smoke', '--timeout=60s']);
    expect(r.code).toBe(0);
    const pods = JSON.parse(kubectl(m, ['-n', ns, 'get', 'pods', '-o', 'json']).stdout) as {
      items: { status: { phase: string } }[];
    };
    expect(pods.items.map((p) => p.status.phase)).toEqual(['Running', 'Running', 'Running']);
    kubectl(m, ['delete', 'namespace', ns, '--wait=false']);
  });

  test('every member has room for thousands of Services (the default /24 capped a member at ~250 gateways)', () => {
    for (const m of MEMBERS) {
      const r = kubectl(m, ['get', 'servicecidr', 'kubernetes', '-o', 'jsonpath={.spec.cidrs[0]}']);
      expect(r.code).toBe(0);
      const bits = Number(r.stdout.trim().split('/')[1]);
      // Each gateway puts one to three Services on a member; 1,000 gateways need a few thousand.
      expect(2 ** (32 - bits) - 2).toBeGreaterThanOrEqual(4096);
    }
  });

  test('member kubeconfigs reach the members through the fault proxy', () => {
    for (const m of MEMBERS) {
      expect(readyz(m).ok).toBe(true);
      const kc = readFileSync(memberKubeconfigPath(m), 'utf8');
      expect(kc).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    }
  });

  test('partition cuts the path to a member while its cluster keeps running; heal restores it', async () => {
    await partition('edge-b');
    try {
      const r = readyz('edge-b', 1);
      expect(r.ok).toBe(false);
      expect(r.out).toMatch(/deadline|timeout|Timeout/);
      // The cluster itself is alive: its own context (not through the proxy) answers.
      if (provider === 'kwok') expect(kubectl('edge-b', ['get', '--raw', '/readyz']).stdout).toBe('ok');
    } finally {
      await heal('edge-b');
    }
    await waitFor('edge-b reachable after heal', () => readyz('edge-b').ok);
  });

  test('crash stops a member cluster; restore brings it back with its workloads', async () => {
    kubectl('edge-b', ['create', 'configmap', 'survivor', '--from-literal=a=b']);
    crash('edge-b');
    try {
      expect(readyz('edge-b', 1).ok).toBe(false);
    } finally {
      restore('edge-b');
    }
    await waitFor('edge-b ready after restore', () => readyz('edge-b').ok, { timeoutMs: 60_000 });
    expect(kubectl('edge-b', ['get', 'configmap', 'survivor', '-o', 'name']).stdout.trim()).toBe(
      'configmap/survivor',
    );
    kubectl('edge-b', ['delete', 'configmap', 'survivor']);
  });

  test('up after a cluster was stopped (as after a machine restart) waits until it is ready', async () => {
    // The first `make testbed-up` after a reboot failed: /readyz was asked once, right after
    // kwokctl start, before the restarted apiserver's post-start hooks finished.
    crash('edge-b');
    try {
      testbedUp();
      expect(readyz('edge-b').ok).toBe(true);
    } finally {
      restore('edge-b');
    }
    await waitFor('edge-b ready', () => readyz('edge-b').ok, { timeoutMs: 60_000 });
  }, 180_000);
});

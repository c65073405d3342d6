// The clusters the suites run against, as kubeconfig contexts. The local
// testbed (kwokctl) and the kind/k3d provider both produce these names, so
// the suites never care which provider made them.
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The members the shared baseline registers (install-main.js members: the examples' EdgeSites and CloudCluster). */
export const MEMBERS = ['cloud-eu', 'edge-a', 'edge-b'] as const;
/**
 * Member clusters that no baseline registers: up, behind the fault proxy and (PAYGRID_REAL_NODES=1)
 * with a real node like the others, for a suite to register itself (registerSpareMember): cloud-us,
 * a second CloudCluster to hold a ledger standby.
 */
export const SPARE_MEMBERS = ['cloud-us'] as const;
/** Every member cluster, in testbed.sh's order: a member's real-node index is its position + 1. */
export const TESTBED_MEMBERS = [...MEMBERS, ...SPARE_MEMBERS] as const;
export type TestbedMember = (typeof TESTBED_MEMBERS)[number];
export const CLUSTERS = ['hub', ...TESTBED_MEMBERS] as const;
export type ClusterName = (typeof CLUSTERS)[number];

/** Where the testbed writes its state: kubeconfigs, proxy control port, logs. */
export const testbedDir = process.env.PAYGRID_TESTBED_DIR ?? join(homedir(), '.cache', 'paygrid', 'testbed');

/** The kubeconfig holding every cluster's context. */
export const kubeconfigPath = process.env.PAYGRID_E2E_KUBECONFIG ?? join(testbedDir, 'kubeconfig');

/** Which provider made the clusters: the local kwokctl testbed, or kind (hub, cloud) plus k3d (edges). */
export const provider = process.env.E2E_PROVIDER === 'kind' ? 'kind' : 'kwok';

/** kubeconfig context for a cluster, as each provider names it. */
export function contextOf(cluster: ClusterName): string {
  if (provider === 'kwok') return `kwok-${cluster}`;
  return cluster.startsWith('edge-') ? `k3d-${cluster}` : `kind-${cluster}`;
}

/** Per-member kubeconfig that reaches the member through its fault proxy (becomes the member Secret). */
export function memberKubeconfigPath(member: TestbedMember): string {
  return join(testbedDir, 'members', `${member}.kubeconfig`);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against one cluster; never throws, so tests can assert on failures. */
export function kubectl(cluster: ClusterName, args: string[], stdin?: string): KubectlResult {
  try {
    const stdout = execFileSync(
      'kubectl',
      ['--kubeconfig', kubeconfigPath, '--context', contextOf(cluster), ...args],
      {
        input: stdin,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
